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
    int rows = response.getEntityCount();
    ProtoColumns.ViewEntries entries = ProtoColumns.entries(response);
    List<ProtoColumns.Reader> columns = new ArrayList<>();
    for (int c = 0; c < response.getColumnsCount(); c++) {
      columns.add(ProtoColumns.reader(response.getColumns(c), entries.count(response.getColumns(c).getViewIndex()),
          response.getFeatureNames(c)));
    }
    List<Row> results = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      List<Served> values = new ArrayList<>(columns.size());
      for (ProtoColumns.Reader column : columns) {
        int entry = entries.of(column.viewIndex(), r);
        values.add(new Served(ProtoValues.toProto(column.value(entry), column.type()), column.status(entry),
            response.getViews(column.viewIndex()).getEventTimestamps(entry)));
      }
      results.add(new Row(values));
    }
    return results;
  }
}
