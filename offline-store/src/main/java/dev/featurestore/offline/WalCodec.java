package dev.featurestore.offline;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ExtensionRegistryLite;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.proto.v1.Value;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The payload of one write-ahead-log record: the rows of one push. Private to the log, so it only has to read what
 * this code wrote: the view name, then per row the event and created timestamps, the key values and the non-null
 * features by name, each value as a wire {@link Value} (which carries its own type, so a record decodes without the
 * definitions it was written under).
 */
final class WalCodec {
  private static final ExtensionRegistryLite NO_EXTENSIONS = ExtensionRegistryLite.getEmptyRegistry();

  private WalCodec() {}

  /** One decoded record: the rows of one push to one view. */
  record Entry(String view, List<FeatureRow> rows) {
    Entry {
      rows = List.copyOf(rows);
    }
  }

  /**
   * Encodes rows of {@code view}.
   *
   * @throws InvalidRequestException when a row names a feature the view lacks or holds a key of no key type
   */
  static byte[] encode(FeatureView view, List<FeatureRow> rows) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 64 * rows.size());
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      out.writeStringNoTag(view.name());
      out.writeUInt32NoTag(rows.size());
      for (FeatureRow row : rows) {
        out.writeInt64NoTag(row.eventTimestampMicros());
        out.writeInt64NoTag(row.createdTimestampMicros());
        out.writeUInt32NoTag(row.key().values().size());
        for (Object value : row.key().values()) {
          out.writeMessageNoTag(ProtoValues.toProto(value, keyType(view, value)));
        }
        out.writeUInt32NoTag(row.values().size());
        for (Map.Entry<String, Object> entry : row.values().entrySet()) {
          Feature feature = view.feature(entry.getKey()).orElseThrow(() -> new InvalidRequestException(
              "Cannot log a push to view '" + view.name() + "': '" + entry.getKey() + "' is not a feature of it"));
          out.writeStringNoTag(feature.name());
          out.writeMessageNoTag(ProtoValues.toProto(entry.getValue(), feature.type()));
        }
      }
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
    }
    return bytes.toByteArray();
  }

  /** Decodes a payload that {@link #encode} wrote (its checksum already verified). */
  static Entry decode(byte[] payload) {
    CodedInputStream in = CodedInputStream.newInstance(payload);
    try {
      String view = in.readString();
      int count = in.readUInt32();
      List<FeatureRow> rows = new ArrayList<>(count);
      for (int r = 0; r < count; r++) {
        long event = in.readInt64();
        long created = in.readInt64();
        int keyCount = in.readUInt32();
        List<Object> key = new ArrayList<>(keyCount);
        for (int k = 0; k < keyCount; k++) {
          key.add(ProtoValues.fromProto(in.readMessage(Value.parser(), NO_EXTENSIONS)));
        }
        int featureCount = in.readUInt32();
        Map<String, Object> values = new HashMap<>(featureCount * 2);
        for (int f = 0; f < featureCount; f++) {
          String name = in.readString();
          values.put(name, ProtoValues.fromProto(in.readMessage(Value.parser(), NO_EXTENSIONS)));
        }
        rows.add(new FeatureRow(new EntityKey(key), event, created, values));
      }
      return new Entry(view, rows);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot decode a push log record: " + e.getMessage(), e);
    }
  }

  private static ValueType keyType(FeatureView view, Object value) {
    if (value instanceof Long) {
      return ValueType.INT64;
    }
    if (value instanceof Integer) {
      return ValueType.INT32;
    }
    if (value instanceof String) {
      return ValueType.STRING;
    }
    if (value instanceof ByteBuffer) {
      return ValueType.BYTES;
    }
    throw new InvalidRequestException("Cannot log a push to view '" + view.name() + "': key value '" + value
        + "' is not INT32, INT64, STRING or BYTES");
  }
}
