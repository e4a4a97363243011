package dev.featurestore.online.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.FeatureSelection;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.online.spi.RowColumns;
import dev.featurestore.proto.v1.FeatureColumn;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.ViewRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a {@link GetOnlineFeaturesResponse} straight to its protobuf wire bytes from the rows read, without building
 * the message: no builder, list or boxed status per value, and no second copy of the serialized message. A
 * 500-row ranking response holds 15,000 values; building it through the generated builders was the largest part of
 * the server's CPU for that request after Redis I/O. The bytes are the same message as {@code ProtoColumns.Writer}
 * builds (ResponseEncoderTest compares the bytes); the shape is documented in serving.proto.
 */
final class ResponseEncoder {
  private ResponseEncoder() {}

  /**
   * Which read row answers each entry of one view's per-row arrays in the response, and, for a view that answers
   * per distinct key, which entry answers each entity row (serving.proto, {@code ViewRows.key_index}).
   *
   * @param readRows per entry, its row of the view's {@link RowColumns}
   * @param keyIndex null when the entries are the entity rows; else per entity row, its entry
   */
  record ViewLayout(int[] readRows, int[] keyIndex) {
    /**
     * The layout of a view whose distinct keys were read in order of first use, {@code keyOfRow[i]} being entity row
     * i's: one entry per distinct key when {@code perDistinctKey} and some rows share a key, else one per entity
     * row.
     */
    static ViewLayout of(int[] keyOfRow, int distinctKeys, boolean perDistinctKey) {
      if (!perDistinctKey || distinctKeys == keyOfRow.length) {
        return new ViewLayout(keyOfRow, null);
      }
      int[] keys = new int[distinctKeys];
      for (int k = 0; k < distinctKeys; k++) {
        keys[k] = k;
      }
      return new ViewLayout(keys, keyOfRow);
    }
  }

  /**
   * The response for {@code selection}: for each of its views (in order) the columns read of it and how its entries
   * map to those columns' rows and to the entity rows. {@code now} decides OUTSIDE_MAX_AGE, in epoch microseconds.
   */
  static byte[] encode(
      FeatureSelection selection, List<RowColumns> readByView, List<ViewLayout> layouts, int entityCount,
      long now) {
    List<FeatureView> views = selection.views();
    List<FeatureSelection.Column> columns = selection.columns();
    Map<String, Integer> viewIndex = new HashMap<>();
    for (FeatureView view : views) {
      viewIndex.put(view.name(), viewIndex.size());
    }
    List<Column> encoded = new ArrayList<>(columns.size());
    for (FeatureSelection.Column column : columns) {
      int index = viewIndex.get(column.view().name());
      encoded.add(new Column(column, index, readByView.get(index), layouts.get(index).readRows(), now));
    }
    int[] timestampBytes = new int[views.size()];
    int[] keyIndexBytes = new int[views.size()];
    int[] viewSizes = new int[views.size()];
    int size = 0;
    for (FeatureSelection.Column column : columns) {
      size += CodedOutputStream.computeStringSize(GetOnlineFeaturesResponse.FEATURE_NAMES_FIELD_NUMBER,
          column.outputName());
    }
    List<String> refs = new ArrayList<>(columns.size());
    for (FeatureSelection.Column column : columns) {
      String ref = column.ref().toString();
      refs.add(ref);
      size += CodedOutputStream.computeStringSize(GetOnlineFeaturesResponse.FEATURE_REFS_FIELD_NUMBER, ref);
    }
    if (entityCount != 0) {
      size += CodedOutputStream.computeInt32Size(GetOnlineFeaturesResponse.ENTITY_COUNT_FIELD_NUMBER, entityCount);
    }
    for (Column column : encoded) {
      size += nestedSize(GetOnlineFeaturesResponse.COLUMNS_FIELD_NUMBER, column.size);
    }
    for (int v = 0; v < views.size(); v++) {
      ViewLayout layout = layouts.get(v);
      timestampBytes[v] = timestampBytes(readByView.get(v), layout.readRows());
      keyIndexBytes[v] = layout.keyIndex() == null ? 0 : keyIndexBytes(layout.keyIndex());
      viewSizes[v] = CodedOutputStream.computeStringSize(ViewRows.FEATURE_VIEW_FIELD_NUMBER, views.get(v).name())
          + packedSize(ViewRows.EVENT_TIMESTAMPS_FIELD_NUMBER, timestampBytes[v])
          + packedSize(ViewRows.KEY_INDEX_FIELD_NUMBER, keyIndexBytes[v]);
      size += nestedSize(GetOnlineFeaturesResponse.VIEWS_FIELD_NUMBER, viewSizes[v]);
    }

    byte[] bytes = new byte[size];
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      for (FeatureSelection.Column column : columns) {
        out.writeString(GetOnlineFeaturesResponse.FEATURE_NAMES_FIELD_NUMBER, column.outputName());
      }
      for (String ref : refs) {
        out.writeString(GetOnlineFeaturesResponse.FEATURE_REFS_FIELD_NUMBER, ref);
      }
      if (entityCount != 0) {
        out.writeInt32(GetOnlineFeaturesResponse.ENTITY_COUNT_FIELD_NUMBER, entityCount);
      }
      for (Column column : encoded) {
        out.writeTag(GetOnlineFeaturesResponse.COLUMNS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(column.size);
        column.writeTo(out);
      }
      for (int v = 0; v < views.size(); v++) {
        out.writeTag(GetOnlineFeaturesResponse.VIEWS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(viewSizes[v]);
        writeViewRows(out, views.get(v), readByView.get(v), layouts.get(v), timestampBytes[v], keyIndexBytes[v]);
      }
      out.checkNoSpaceLeft();
    } catch (IOException e) {
      // only when the computed size is wrong: a bug, not an input error
      throw new UncheckedIOException("Cannot encode the online response: its computed size was wrong", e);
    }
    return bytes;
  }

  private static int nestedSize(int field, int size) {
    return CodedOutputStream.computeTagSize(field) + CodedOutputStream.computeUInt32SizeNoTag(size) + size;
  }

  /** The payload bytes of a view's packed event timestamps, one per entry (0 where no row). */
  private static int timestampBytes(RowColumns read, int[] readRows) {
    int packed = 0;
    for (int row : readRows) {
      packed += CodedOutputStream.computeInt64SizeNoTag(eventTimestamp(read, row));
    }
    return packed;
  }

  private static int keyIndexBytes(int[] keyIndex) {
    int packed = 0;
    for (int entry : keyIndex) {
      packed += CodedOutputStream.computeInt32SizeNoTag(entry);
    }
    return packed;
  }

  private static long eventTimestamp(RowColumns read, int row) {
    return read.found(row) ? read.eventTimestampMicros(row) : 0;
  }

  private static void writeViewRows(CodedOutputStream out, FeatureView view, RowColumns read, ViewLayout layout,
      int timestampBytes, int keyIndexBytes) throws IOException {
    out.writeString(ViewRows.FEATURE_VIEW_FIELD_NUMBER, view.name());
    if (timestampBytes > 0) {
      out.writeTag(ViewRows.EVENT_TIMESTAMPS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(timestampBytes);
      for (int row : layout.readRows()) {
        out.writeInt64NoTag(eventTimestamp(read, row));
      }
    }
    if (keyIndexBytes > 0) {
      out.writeTag(ViewRows.KEY_INDEX_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(keyIndexBytes);
      for (int entry : layout.keyIndex()) {
        out.writeInt32NoTag(entry);
      }
    }
  }

  /** A packed repeated field of {@code bytes} payload bytes: absent when empty, as protobuf writes it. */
  private static int packedSize(int field, int bytes) {
    return bytes == 0 ? 0 : nestedSize(field, bytes);
  }

  /**
   * One output column: the status of every entry (entity row, or distinct key), classified once, and which read row
   * holds its value, with the sizes of its packed fields, so that writing it needs no second pass over the statuses.
   */
  private static final class Column {
    private final ValueType type;
    private final ValueType scalar;
    private final int viewIndex;
    private final RowColumns read;
    private final int position;
    private final int[] statuses;
    /** Per entry the read row holding its value, -1 where the status is not PRESENT. */
    private final int[] valueRows;
    private final int statusBytes;
    private final int valueBytes;
    private final int lengthBytes;
    final int size;

    Column(FeatureSelection.Column column, int viewIndex, RowColumns read, int[] readRows, long now) {
      FeatureView view = read.projection().view();
      this.position = view.indexOf(column.feature().name());
      this.type = column.feature().type();
      this.scalar = type.isList() ? type.elementType() : type;
      this.viewIndex = viewIndex;
      this.read = read;
      int count = readRows.length;
      statuses = new int[count];
      valueRows = new int[count];
      long oldestFresh = view.hasTtl() ? now - view.ttlMicros() : Long.MIN_VALUE;
      int statusSum = 0;
      int valueSum = 0;
      int lengthSum = 0;
      for (int i = 0; i < count; i++) {
        int row = readRows[i];
        FeatureStatus status;
        if (!read.found(row)) {
          status = FeatureStatus.NOT_FOUND;
        } else if (read.eventTimestampMicros(row) < oldestFresh) {
          status = FeatureStatus.OUTSIDE_MAX_AGE;
        } else {
          status = read.present(row, position) ? FeatureStatus.PRESENT : FeatureStatus.NULL_VALUE;
        }
        boolean present = status == FeatureStatus.PRESENT;
        valueRows[i] = present ? row : -1;
        statuses[i] = status.getNumber();
        statusSum += CodedOutputStream.computeEnumSizeNoTag(statuses[i]);
        if (type.isList()) {
          List<?> items = present ? read.list(row, position) : List.of();
          lengthSum += CodedOutputStream.computeInt32SizeNoTag(items.size());
          for (Object item : items) {
            valueSum += itemSize(item);
          }
        } else {
          // a row without a value still takes its slot: the type's default value
          valueSum += present ? scalarSize(row) : defaultSize();
        }
      }
      statusBytes = statusSum;
      valueBytes = valueSum;
      lengthBytes = lengthSum;
      int total = CodedOutputStream.computeEnumSize(FeatureColumn.TYPE_FIELD_NUMBER,
          ProtoDefinitions.toProto(type).getNumber());
      if (viewIndex != 0) {
        total += CodedOutputStream.computeInt32Size(FeatureColumn.VIEW_INDEX_FIELD_NUMBER, viewIndex);
      }
      total += packedSize(FeatureColumn.STATUSES_FIELD_NUMBER, statusBytes);
      total += isPacked() ? packedSize(valueField(), valueBytes) : valueBytes;
      if (type.isList()) {
        total += packedSize(FeatureColumn.LIST_LENGTHS_FIELD_NUMBER, lengthBytes);
      }
      size = total;
    }

    private boolean isPacked() {
      return scalar != ValueType.STRING && scalar != ValueType.BYTES;
    }

    private int valueField() {
      return switch (scalar) {
        case BOOL -> FeatureColumn.BOOL_VALUES_FIELD_NUMBER;
        case INT32 -> FeatureColumn.INT32_VALUES_FIELD_NUMBER;
        case INT64, TIMESTAMP -> FeatureColumn.INT64_VALUES_FIELD_NUMBER;
        case FLOAT -> FeatureColumn.FLOAT_VALUES_FIELD_NUMBER;
        case DOUBLE -> FeatureColumn.DOUBLE_VALUES_FIELD_NUMBER;
        case STRING -> FeatureColumn.STRING_VALUES_FIELD_NUMBER;
        case BYTES -> FeatureColumn.BYTES_VALUES_FIELD_NUMBER;
        default -> throw new AssertionError(scalar);
      };
    }

    /** The bytes of the scalar value of read row {@code row}. */
    private int scalarSize(int row) {
      return switch (scalar) {
        case BOOL -> 1;
        case INT32 -> CodedOutputStream.computeInt32SizeNoTag((int) read.word(row, position));
        case INT64, TIMESTAMP -> CodedOutputStream.computeInt64SizeNoTag(read.word(row, position));
        case FLOAT -> 4;
        case DOUBLE -> 8;
        case STRING, BYTES -> lengthDelimitedSize(read.bytesLength(row, position));
        default -> throw new AssertionError(scalar);
      };
    }

    /** The bytes of the type's default value, which a row without a value still takes. */
    private int defaultSize() {
      return switch (scalar) {
        case BOOL, INT32, INT64, TIMESTAMP -> 1;
        case FLOAT -> 4;
        case DOUBLE -> 8;
        case STRING, BYTES -> lengthDelimitedSize(0);
        default -> throw new AssertionError(scalar);
      };
    }

    /** The bytes of one element of a list value, in its feature's representation. */
    private int itemSize(Object item) {
      return switch (scalar) {
        case BOOL -> 1;
        case INT32 -> CodedOutputStream.computeInt32SizeNoTag((Integer) item);
        case INT64, TIMESTAMP -> CodedOutputStream.computeInt64SizeNoTag((Long) item);
        case FLOAT -> 4;
        case DOUBLE -> 8;
        case STRING -> CodedOutputStream.computeStringSize(FeatureColumn.STRING_VALUES_FIELD_NUMBER, (String) item);
        case BYTES -> lengthDelimitedSize(((ByteBuffer) item).remaining());
        default -> throw new AssertionError(scalar);
      };
    }

    /** A STRING or BYTES element: tag, length, bytes (the field numbers of both take one tag byte). */
    private int lengthDelimitedSize(int length) {
      return CodedOutputStream.computeTagSize(valueField()) + CodedOutputStream.computeUInt32SizeNoTag(length)
          + length;
    }

    void writeTo(CodedOutputStream out) throws IOException {
      out.writeEnum(FeatureColumn.TYPE_FIELD_NUMBER, ProtoDefinitions.toProto(type).getNumber());
      if (viewIndex != 0) {
        out.writeInt32(FeatureColumn.VIEW_INDEX_FIELD_NUMBER, viewIndex);
      }
      if (statusBytes > 0) {
        out.writeTag(FeatureColumn.STATUSES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(statusBytes);
        for (int status : statuses) {
          out.writeEnumNoTag(status);
        }
      }
      if (valueBytes > 0) {
        if (isPacked()) {
          out.writeTag(valueField(), WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(valueBytes);
        }
        for (int row : valueRows) {
          if (!type.isList()) {
            writeScalar(out, row);
          } else if (row >= 0) {
            for (Object item : read.list(row, position)) {
              writeItem(out, item);
            }
          }
        }
      }
      if (type.isList() && lengthBytes > 0) {
        out.writeTag(FeatureColumn.LIST_LENGTHS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(lengthBytes);
        for (int row : valueRows) {
          out.writeInt32NoTag(row < 0 ? 0 : read.list(row, position).size());
        }
      }
    }

    /** The scalar value of read row {@code row}, or the type's default where {@code row} is -1. */
    private void writeScalar(CodedOutputStream out, int row) throws IOException {
      long word = row < 0 || !isPacked() ? 0 : read.word(row, position);
      switch (scalar) {
        case BOOL -> out.writeBoolNoTag(word != 0);
        case INT32 -> out.writeInt32NoTag((int) word);
        case INT64, TIMESTAMP -> out.writeInt64NoTag(word);
        case FLOAT -> out.writeFixed32NoTag((int) word);
        case DOUBLE -> out.writeFixed64NoTag(word);
        case STRING, BYTES -> {
          out.writeTag(valueField(), WireFormat.WIRETYPE_LENGTH_DELIMITED);
          if (row < 0) {
            out.writeUInt32NoTag(0);
          } else {
            int length = read.bytesLength(row, position);
            out.writeUInt32NoTag(length);
            out.writeRawBytes(read.bytesArray(row, position), read.bytesOffset(row, position), length);
          }
        }
        default -> throw new AssertionError(scalar);
      }
    }

    /** One element of a list value, in its feature's representation. */
    private void writeItem(CodedOutputStream out, Object item) throws IOException {
      switch (scalar) {
        case BOOL -> out.writeBoolNoTag((Boolean) item);
        case INT32 -> out.writeInt32NoTag((Integer) item);
        case INT64, TIMESTAMP -> out.writeInt64NoTag((Long) item);
        case FLOAT -> out.writeFloatNoTag((Float) item);
        case DOUBLE -> out.writeDoubleNoTag((Double) item);
        case STRING -> out.writeString(FeatureColumn.STRING_VALUES_FIELD_NUMBER, (String) item);
        case BYTES -> {
          ByteBuffer bytes = ((ByteBuffer) item).duplicate();
          out.writeTag(FeatureColumn.BYTES_VALUES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(bytes.remaining());
          out.writeRawBytes(bytes);
        }
        default -> throw new AssertionError(scalar);
      }
    }
  }
}
