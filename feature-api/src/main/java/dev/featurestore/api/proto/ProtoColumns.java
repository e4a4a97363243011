package dev.featurestore.api.proto;

import com.google.protobuf.ByteString;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.FeatureColumn;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.ViewRows;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Writes and reads the columns of the online response ({@link FeatureColumn}, see serving.proto): one feature for
 * every entity row, statuses and values in packed arrays of the feature's type, values dense (one slot per row),
 * list values as per-row lengths plus their elements one after the other.
 *
 * <p>A column holds one entry per entity row, or one per distinct key of its view when the request asked for
 * distinct keys; {@link #rows} reads a whole response by entity row either way.
 *
 * <p>Values are in the Java representation of their {@link ValueType}. Writers and readers are not thread-safe;
 * one per column and thread.
 *
 * <p>The online server does not use the writer: it writes the same bytes straight from the rows it read, without
 * the generated builders (online-store's {@code ResponseEncoder}, whose test compares its bytes with this writer's).
 */
public final class ProtoColumns {
  private ProtoColumns() {}

  /** A writer of a column of {@code type} for the view at {@code viewIndex}, expecting {@code rows} rows. */
  public static Writer writer(ValueType type, int viewIndex, int rows) {
    return new Writer(type, viewIndex, rows);
  }

  /**
   * A reader of {@code column}, which must hold {@code rows} rows.
   *
   * @throws InvalidRequestException when the column's arrays do not hold {@code rows} rows of its type
   */
  public static Reader reader(FeatureColumn column, int rows, String name) {
    return new Reader(column, rows, name);
  }

  /**
   * The columns of {@code response} read by entity row, whatever the layout of each view: one entry per entity row,
   * or one per distinct key (serving.proto, {@code ViewRows.key_index}).
   *
   * @throws InvalidRequestException when a column points to no view, or a view's event timestamps, key indexes or
   *     columns do not fit the entity count
   */
  public static ResponseRows rows(GetOnlineFeaturesResponse response) {
    return new ResponseRows(response);
  }

  /** Random access to a response's values, statuses and event timestamps by entity row and output column. */
  public static final class ResponseRows {
    private final GetOnlineFeaturesResponse response;
    private final ViewEntries entries;
    private final Reader[] columns;

    private ResponseRows(GetOnlineFeaturesResponse response) {
      this.response = response;
      this.entries = new ViewEntries(response);
      this.columns = new Reader[response.getColumnsCount()];
      for (int c = 0; c < columns.length; c++) {
        FeatureColumn column = response.getColumns(c);
        String name = c < response.getFeatureNamesCount() ? response.getFeatureNames(c) : "#" + c;
        int view = column.getViewIndex();
        if (view < 0 || view >= response.getViewsCount()) {
          throw new InvalidRequestException("Cannot read online response: column '" + name + "' points to view "
              + view + " of " + response.getViewsCount());
        }
        columns[c] = new Reader(column, entries.count(view), name);
      }
    }

    /** The entity rows of the request. */
    public int rowCount() {
      return response.getEntityCount();
    }

    public ValueType type(int column) {
      return columns[column].type();
    }

    public FeatureStatus status(int row, int column) {
      return columns[column].status(entry(row, column));
    }

    /** The value of {@code column} for entity row {@code row}, or null when its status is not PRESENT. */
    public Object value(int row, int column) {
      return columns[column].value(entry(row, column));
    }

    /** UTC microseconds of the stored row the value came from; 0 where the view has no row for the entity. */
    public long eventTimestamp(int row, int column) {
      int view = columns[column].viewIndex();
      return response.getViews(view).getEventTimestamps(entries.of(view, row));
    }

    private int entry(int row, int column) {
      return entries.of(columns[column].viewIndex(), row);
    }
  }

  /** For each view of a response, how many entries its per-row arrays hold and which one answers each entity row. */
  private static final class ViewEntries {
    /** Per view: null where row i's entry is i, else the view's key_index. */
    private final int[][] keyIndexes;
    private final int[] counts;

    private ViewEntries(GetOnlineFeaturesResponse response) {
      int entities = response.getEntityCount();
      keyIndexes = new int[response.getViewsCount()][];
      counts = new int[keyIndexes.length];
      for (int v = 0; v < keyIndexes.length; v++) {
        ViewRows view = response.getViews(v);
        counts[v] = view.getEventTimestampsCount();
        if (view.getKeyIndexCount() == 0) {
          if (counts[v] != entities) {
            throw malformedView(view, "has " + counts[v] + " event timestamps for " + entities + " entity rows");
          }
          continue;
        }
        if (view.getKeyIndexCount() != entities) {
          throw malformedView(view, "has " + view.getKeyIndexCount() + " key indexes for " + entities
              + " entity rows");
        }
        int[] keyIndex = new int[entities];
        for (int row = 0; row < entities; row++) {
          keyIndex[row] = view.getKeyIndex(row);
          if (keyIndex[row] < 0 || keyIndex[row] >= counts[v]) {
            throw malformedView(view, "gives entity row " + row + " key index " + keyIndex[row] + " of "
                + counts[v] + " keys");
          }
        }
        keyIndexes[v] = keyIndex;
      }
    }

    /** How many entries the per-row arrays of view {@code view} and of its columns hold. */
    int count(int view) {
      return counts[view];
    }

    /** The entry of entity row {@code row} in view {@code view}'s per-row arrays and its columns'. */
    int of(int view, int row) {
      int[] keyIndex = keyIndexes[view];
      return keyIndex == null ? row : keyIndex[row];
    }

    private static InvalidRequestException malformedView(ViewRows view, String problem) {
      return new InvalidRequestException("Cannot read online response: view '" + view.getFeatureView() + "' "
          + problem);
    }
  }

  /** Appends the rows of one column in row order: one call of {@link #value} or {@link #noValue} per row. */
  public static final class Writer {
    private final ValueType type;
    private final FeatureColumn.Builder column;

    private Writer(ValueType type, int viewIndex, int rows) {
      this.type = Objects.requireNonNull(type, "type");
      this.column = FeatureColumn.newBuilder().setType(ProtoDefinitions.toProto(type)).setViewIndex(viewIndex);
    }

    /**
     * Appends a PRESENT row holding {@code value}, non-null, in the representation of the column's type.
     *
     * @throws ClassCastException when the value is not of that representation
     */
    public void value(Object value) {
      Objects.requireNonNull(value, "value");
      column.addStatuses(FeatureStatus.PRESENT);
      if (type.isList()) {
        List<?> items = (List<?>) value;
        column.addListLengths(items.size());
        for (Object item : items) {
          scalar(type.elementType(), item);
        }
      } else {
        scalar(type, value);
      }
    }

    /** Appends a row without a value: {@code status} NULL_VALUE, OUTSIDE_MAX_AGE or NOT_FOUND. */
    public void noValue(FeatureStatus status) {
      if (status == FeatureStatus.PRESENT || status == FeatureStatus.FEATURE_STATUS_UNSPECIFIED
          || status == FeatureStatus.UNRECOGNIZED) {
        throw new IllegalArgumentException("Cannot append a row without a value with status " + status);
      }
      column.addStatuses(status);
      if (type.isList()) {
        column.addListLengths(0);
        return;
      }
      switch (type) {
        case BOOL -> column.addBoolValues(false);
        case INT32 -> column.addInt32Values(0);
        case INT64, TIMESTAMP -> column.addInt64Values(0);
        case FLOAT -> column.addFloatValues(0);
        case DOUBLE -> column.addDoubleValues(0);
        case STRING -> column.addStringValues("");
        case BYTES -> column.addBytesValues(ByteString.EMPTY);
        default -> throw new AssertionError(type);
      }
    }

    public FeatureColumn build() {
      return column.build();
    }

    private void scalar(ValueType scalar, Object value) {
      switch (scalar) {
        case BOOL -> column.addBoolValues((Boolean) value);
        case INT32 -> column.addInt32Values((Integer) value);
        case INT64, TIMESTAMP -> column.addInt64Values((Long) value);
        case FLOAT -> column.addFloatValues((Float) value);
        case DOUBLE -> column.addDoubleValues((Double) value);
        case STRING -> column.addStringValues((String) value);
        case BYTES -> column.addBytesValues(ByteString.copyFrom(((ByteBuffer) value).duplicate()));
        default -> throw new AssertionError(scalar);
      }
    }
  }

  /** Random access to the rows of one column. */
  public static final class Reader {
    private final FeatureColumn column;
    private final ValueType type;
    private final int rows;
    /** For list types, where row i's elements start; length rows + 1. */
    private final int[] offsets;

    private Reader(FeatureColumn column, int rows, String name) {
      this.column = column;
      this.rows = rows;
      this.type = ProtoDefinitions.fromProto(column.getType(), "column '" + name + "'");
      if (column.getStatusesCount() != rows) {
        throw malformed(name, column.getStatusesCount() + " statuses");
      }
      if (type.isList()) {
        if (column.getListLengthsCount() != rows) {
          throw malformed(name, column.getListLengthsCount() + " list lengths");
        }
        offsets = new int[rows + 1];
        for (int i = 0; i < rows; i++) {
          offsets[i + 1] = offsets[i] + column.getListLengths(i);
        }
        int elements = count(type.elementType());
        if (offsets[rows] != elements) {
          throw malformed(name, "lengths adding up to " + offsets[rows] + " but " + elements + " elements");
        }
      } else {
        offsets = null;
        int values = count(type);
        if (values != rows) {
          throw malformed(name, values + " values");
        }
      }
    }

    public ValueType type() {
      return type;
    }

    public int viewIndex() {
      return column.getViewIndex();
    }

    public FeatureStatus status(int row) {
      return column.getStatuses(row);
    }

    /** The value of {@code row}, or null when its status is not PRESENT. */
    public Object value(int row) {
      if (column.getStatuses(row) != FeatureStatus.PRESENT) {
        return null;
      }
      if (!type.isList()) {
        return scalar(type, row);
      }
      ValueType element = type.elementType();
      List<Object> items = new ArrayList<>(offsets[row + 1] - offsets[row]);
      for (int at = offsets[row]; at < offsets[row + 1]; at++) {
        items.add(scalar(element, at));
      }
      return Collections.unmodifiableList(items);
    }

    private Object scalar(ValueType scalar, int at) {
      return switch (scalar) {
        case BOOL -> column.getBoolValues(at);
        case INT32 -> column.getInt32Values(at);
        case INT64, TIMESTAMP -> column.getInt64Values(at);
        case FLOAT -> column.getFloatValues(at);
        case DOUBLE -> column.getDoubleValues(at);
        case STRING -> column.getStringValues(at);
        case BYTES -> column.getBytesValues(at).asReadOnlyByteBuffer();
        default -> throw new AssertionError(scalar);
      };
    }

    private int count(ValueType scalar) {
      return switch (scalar) {
        case BOOL -> column.getBoolValuesCount();
        case INT32 -> column.getInt32ValuesCount();
        case INT64, TIMESTAMP -> column.getInt64ValuesCount();
        case FLOAT -> column.getFloatValuesCount();
        case DOUBLE -> column.getDoubleValuesCount();
        case STRING -> column.getStringValuesCount();
        case BYTES -> column.getBytesValuesCount();
        default -> throw new AssertionError(scalar);
      };
    }

    private InvalidRequestException malformed(String name, String found) {
      return new InvalidRequestException("Cannot read column '" + name + "' of the online response: expected "
          + rows + " rows of " + type + " but it has " + found);
    }
  }
}
