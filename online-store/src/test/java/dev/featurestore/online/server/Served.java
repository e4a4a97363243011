package dev.featurestore.online.server;

import dev.featurestore.api.proto.ProtoColumns;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.Value;
import java.util.ArrayList;
import java.util.List;

/**
 * One served value of a columnar {@link GetOnlineFeaturesResponse}, read back row-wise through
 * {@link ProtoColumns}, so the tests state what each entity row and feature got: its value as a wire {@link Value},
 * its status and its view's event timestamp.
 */
record Served(Value getValue, FeatureStatus getStatus, long getEventTimestamp) {

  /** Whether a value was served (the status is PRESENT). */
  boolean hasValue() {
    return getStatus == FeatureStatus.PRESENT;
  }

  /** The served values of one entity row, in column order. */
  record Row(List<Served> getValuesList) {
    Served getValues(int column) {
      return getValuesList.get(column);
    }
  }

  /** Every entity row of {@code response}, in request order (a view answered per distinct key read per row). */
  static List<Row> results(GetOnlineFeaturesResponse response) {
    ProtoColumns.ResponseRows read = ProtoColumns.rows(response);
    List<Row> results = new ArrayList<>(read.rowCount());
    for (int r = 0; r < read.rowCount(); r++) {
      List<Served> values = new ArrayList<>(response.getColumnsCount());
      for (int c = 0; c < response.getColumnsCount(); c++) {
        values.add(new Served(ProtoValues.toProto(read.value(r, c), read.type(c)), read.status(r, c),
            read.eventTimestamp(r, c)));
      }
      results.add(new Row(values));
    }
    return results;
  }
}
