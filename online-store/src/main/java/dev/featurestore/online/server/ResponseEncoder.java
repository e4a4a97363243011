package dev.featurestore.online.server;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.WireFormat;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.data.FeatureValues;
import dev.featurestore.api.definition.FeatureSelection;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.proto.v1.FeatureColumn;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.ViewRows;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
   * The response for {@code selection} over {@code rowsByView}: for each view the entity rows' stored rows (null
   * where none), in entity row order. {@code now} decides OUTSIDE_MAX_AGE, in epoch microseconds.
   */
  static byte[] encode(FeatureSelection selection, List<List<FeatureRow>> rowsByView, int entityCount, long now) {
    List<FeatureView> views = selection.views();
    List<FeatureSelection.Column> columns = selection.columns();
    Map<String, Integer> viewIndex = new HashMap<>();
    for (FeatureView view : views) {
      viewIndex.put(view.name(), viewIndex.size());
    }
    List<Column> encoded = new ArrayList<>(columns.size());
    for (FeatureSelection.Column column : columns) {
      int index = viewIndex.get(column.view().name());
      encoded.add(new Column(column, index, rowsByView.get(index), now));
    }
    int[] timestampBytes = new int[views.size()];
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
      timestampBytes[v] = timestampBytes(rowsByView.get(v));
      viewSizes[v] = CodedOutputStream.computeStringSize(ViewRows.FEATURE_VIEW_FIELD_NUMBER, views.get(v).name())
          + packedSize(ViewRows.EVENT_TIMESTAMPS_FIELD_NUMBER, timestampBytes[v]);
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
        writeViewRows(out, views.get(v), rowsByView.get(v), timestampBytes[v]);
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

  /** The payload bytes of a view's packed event timestamps, one per entity row (0 where no row). */
  private static int timestampBytes(List<FeatureRow> rows) {
    int packed = 0;
    for (FeatureRow row : rows) {
      packed += CodedOutputStream.computeInt64SizeNoTag(row == null ? 0 : row.eventTimestampMicros());
    }
    return packed;
  }

  private static void writeViewRows(CodedOutputStream out, FeatureView view, List<FeatureRow> rows, int packed)
      throws IOException {
    out.writeString(ViewRows.FEATURE_VIEW_FIELD_NUMBER, view.name());
    if (packed > 0) {
      out.writeTag(ViewRows.EVENT_TIMESTAMPS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
      out.writeUInt32NoTag(packed);
      for (FeatureRow row : rows) {
        out.writeInt64NoTag(row == null ? 0 : row.eventTimestampMicros());
      }
    }
  }

  /** A packed repeated field of {@code bytes} payload bytes: absent when empty, as protobuf writes it. */
  private static int packedSize(int field, int bytes) {
    return bytes == 0 ? 0 : nestedSize(field, bytes);
  }

  /**
   * One output column: the status and value of every entity row, classified once, with the sizes of its packed
   * fields, so that writing it needs no second pass over the rows' values.
   */
  private static final class Column {
    private static final byte[] NO_BYTES = new byte[0];
    private final ValueType type;
    private final ValueType scalar;
    private final int viewIndex;
    private final int[] statuses;
    /** Per entity row the value (STRING as UTF-8 bytes), null where the status is not PRESENT. */
    private final Object[] values;
    /** For list types, per entity row the number of elements. */
    private final int[] lengths;
    private final int statusBytes;
    private final int valueBytes;
    private final int lengthBytes;
    final int size;

    Column(FeatureSelection.Column column, int viewIndex, List<FeatureRow> rows, long now) {
      FeatureView view = column.view();
      String name = column.feature().name();
      int position = view.indexOf(name);
      this.type = column.feature().type();
      this.scalar = type.isList() ? type.elementType() : type;
      this.viewIndex = viewIndex;
      int count = rows.size();
      statuses = new int[count];
      values = new Object[count];
      lengths = type.isList() ? new int[count] : null;
      long oldestFresh = view.hasTtl() ? now - view.ttlMicros() : Long.MIN_VALUE;
      int statusSum = 0;
      int valueSum = 0;
      int lengthSum = 0;
      for (int i = 0; i < count; i++) {
        FeatureRow row = rows.get(i);
        FeatureStatus status;
        Object value = null;
        if (row == null) {
          status = FeatureStatus.NOT_FOUND;
        } else if (row.eventTimestampMicros() < oldestFresh) {
          status = FeatureStatus.OUTSIDE_MAX_AGE;
        } else {
          // Rows the stores decode hold their values by position in this very view: no lookup by name per value.
          value = row.values() instanceof FeatureValues byPosition && byPosition.view() == view
              ? byPosition.at(position)
              : row.value(name);
          status = value == null ? FeatureStatus.NULL_VALUE : FeatureStatus.PRESENT;
        }
        if (scalar == ValueType.STRING && value != null) {
          value = utf8(value);
        }
        statuses[i] = status.getNumber();
        values[i] = value;
        statusSum += CodedOutputStream.computeEnumSizeNoTag(statuses[i]);
        if (lengths != null) {
          List<?> items = value == null ? List.of() : (List<?>) value;
          lengths[i] = items.size();
          lengthSum += CodedOutputStream.computeInt32SizeNoTag(lengths[i]);
          for (Object item : items) {
            valueSum += scalarSize(item);
          }
        } else {
          // a row without a value still takes its slot: the type's default value
          valueSum += scalarSize(value);
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
      if (lengths != null) {
        total += packedSize(FeatureColumn.LIST_LENGTHS_FIELD_NUMBER, lengthBytes);
      }
      size = total;
    }

    /**
     * A STRING value, or the items of a STRING_LIST, as UTF-8 bytes, encoded once: sizing and then writing a String
     * made protobuf walk it char by char three times, where getBytes copies compact Latin-1 strings in bulk.
     * Encoding a ranking response (500 rows x 30 features, a quarter of them 32-character strings) took 165-170
     * instead of 199-206 us.
     */
    private static Object utf8(Object value) {
      if (value instanceof String text) {
        return text.getBytes(StandardCharsets.UTF_8);
      }
      List<?> items = (List<?>) value;
      List<byte[]> encoded = new ArrayList<>(items.size());
      for (Object item : items) {
        encoded.add(((String) item).getBytes(StandardCharsets.UTF_8));
      }
      return encoded;
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

    /** The bytes of one element of the scalar type, null meaning the type's default (a row without a value). */
    private int scalarSize(Object value) {
      return switch (scalar) {
        case BOOL -> 1;
        case INT32 -> CodedOutputStream.computeInt32SizeNoTag(value == null ? 0 : (Integer) value);
        case INT64, TIMESTAMP -> CodedOutputStream.computeInt64SizeNoTag(value == null ? 0 : (Long) value);
        case FLOAT -> 4;
        case DOUBLE -> 8;
        case STRING -> CodedOutputStream.computeTagSize(FeatureColumn.STRING_VALUES_FIELD_NUMBER)
            + CodedOutputStream.computeUInt32SizeNoTag(value == null ? 0 : ((byte[]) value).length)
            + (value == null ? 0 : ((byte[]) value).length);
        case BYTES -> CodedOutputStream.computeTagSize(FeatureColumn.BYTES_VALUES_FIELD_NUMBER)
            + CodedOutputStream.computeUInt32SizeNoTag(value == null ? 0 : ((ByteBuffer) value).remaining())
            + (value == null ? 0 : ((ByteBuffer) value).remaining());
        default -> throw new AssertionError(scalar);
      };
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
        for (Object value : values) {
          if (lengths == null) {
            writeScalar(out, value);
          } else if (value != null) {
            for (Object item : (List<?>) value) {
              writeScalar(out, item);
            }
          }
        }
      }
      if (lengths != null && lengthBytes > 0) {
        out.writeTag(FeatureColumn.LIST_LENGTHS_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
        out.writeUInt32NoTag(lengthBytes);
        for (int length : lengths) {
          out.writeInt32NoTag(length);
        }
      }
    }

    private void writeScalar(CodedOutputStream out, Object value) throws IOException {
      switch (scalar) {
        case BOOL -> out.writeBoolNoTag(value != null && (Boolean) value);
        case INT32 -> out.writeInt32NoTag(value == null ? 0 : (Integer) value);
        case INT64, TIMESTAMP -> out.writeInt64NoTag(value == null ? 0 : (Long) value);
        case FLOAT -> out.writeFloatNoTag(value == null ? 0 : (Float) value);
        case DOUBLE -> out.writeDoubleNoTag(value == null ? 0 : (Double) value);
        case STRING -> {
          byte[] utf8 = value == null ? NO_BYTES : (byte[]) value;
          out.writeTag(FeatureColumn.STRING_VALUES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(utf8.length);
          out.writeRawBytes(utf8);
        }
        case BYTES -> {
          ByteBuffer bytes = value == null ? ByteBuffer.allocate(0) : ((ByteBuffer) value).duplicate();
          out.writeTag(FeatureColumn.BYTES_VALUES_FIELD_NUMBER, WireFormat.WIRETYPE_LENGTH_DELIMITED);
          out.writeUInt32NoTag(bytes.remaining());
          out.writeRawBytes(bytes);
        }
        default -> throw new AssertionError(scalar);
      }
    }
  }
}
