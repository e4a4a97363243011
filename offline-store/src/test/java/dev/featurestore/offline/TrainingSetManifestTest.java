package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest's JSON and the content hash's definition. */
class TrainingSetManifestTest {
  @TempDir Path dir;

  private static TrainingSetManifest manifest(String table, Long tableSnapshot) {
    return new TrainingSetManifest(TrainingSetManifest.FORMAT_VERSION, Instant.parse("2026-01-02T03:04:05.123Z"),
        Path.of("entities.parquet"), "ab".repeat(32), List.of(FeatureRef.of("txn", "amount"),
            FeatureRef.allOf("user")), null, FeatureNaming.FULL, TrainingSetRequest.Visibility.AS_KNOWN_AT, 4,
        Map.of("txn", 6502133451726457740L), List.of("user"), 12, "sha256:" + "0".repeat(64),
        Path.of("out.parquet"), table, tableSnapshot);
  }

  @Test
  void writeAndRead_everyField_roundTrips() {
    TrainingSetManifest manifest = manifest("training.fraud", 42L);
    Path file = dir.resolve("m.json");

    manifest.write(file);

    assertThat(TrainingSetManifest.read(file)).isEqualTo(manifest);
    assertThat(TrainingSetManifest.read(file).toRequest(dir.resolve("x.parquet")).asOf())
        .isEqualTo(new TrainingSetRequest.AsOf(Map.of("txn", 6502133451726457740L), "ab".repeat(32)));
  }

  @Test
  void fromJson_serviceWithoutTable_roundTrips() {
    TrainingSetManifest manifest = new TrainingSetManifest(TrainingSetManifest.FORMAT_VERSION, Instant.EPOCH,
        Path.of("e.csv"), "cd".repeat(32), List.of(), "fraud", FeatureNaming.SHORT,
        TrainingSetRequest.Visibility.ALL_WRITES, 0, Map.of(), List.of(), 0, "sha256:x", null, null, null);

    assertThat(ManifestCodec.fromJson(ManifestCodec.toJson(manifest), "m.json")).isEqualTo(manifest);
  }

  @Test
  void fromJson_snapshotNotANumber_isRefusedNamingTheField() {
    String json = new String(ManifestCodec.toJson(manifest(null, null)), StandardCharsets.UTF_8)
        .replace("6502133451726457740", "\"latest\"");

    assertThatThrownBy(() -> ManifestCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "m.json"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read training-set manifest 'm.json': field 'snapshots.txn' must be a snapshot id or"
            + " null, not \"latest\"");
  }

  @Test
  void fromJson_otherFormatVersion_isRefused() {
    String json = new String(ManifestCodec.toJson(manifest(null, null)), StandardCharsets.UTF_8)
        .replace("\"format_version\" : 1", "\"format_version\" : 2");

    assertThatThrownBy(() -> ManifestCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), "m.json"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read training-set manifest 'm.json': format version 2 is not supported (this version"
            + " reads 1)");
  }

  @Test
  void read_missingFile_isRefusedNamingIt() {
    Path file = dir.resolve("none.json");

    assertThatThrownBy(() -> TrainingSetManifest.read(file))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read training-set manifest '" + file + "': no such file");
  }

  @Test
  void contentHash_everyValueType_hashesTheSpillEncodingOfTheCanonicalValues() throws Exception {
    ValueType[] types = ValueType.values();
    List<org.apache.arrow.vector.types.pojo.Field> fields = new java.util.ArrayList<>();
    for (ValueType type : types) {
      fields.add(ArrowValues.field(type.name().toLowerCase(java.util.Locale.ROOT), type));
    }
    Object[][] rows = {new Object[types.length], new Object[types.length]};
    for (int c = 0; c < types.length; c++) {
      Object value = sample(types[c].isList() ? types[c].elementType() : types[c]);
      rows[0][c] = types[c].isList() ? List.of(value, value) : value;
    }
    HashingSink sink = new HashingSink(List.of());
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator)) {
      root.allocateNew();
      for (int r = 0; r < rows.length; r++) {
        for (int c = 0; c < types.length; c++) {
          ArrowValues.set(root.getVector(c), r, rows[r][c], types[c]);
        }
      }
      root.setRowCount(rows.length);
      sink.begin(root);
      sink.write(root);
    }

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream expected = new DataOutputStream(bytes);
    for (Object[] row : rows) {
      ValueCodec.writeValues(expected, row, types);
    }
    assertThat(sink.contentHash()).isEqualTo(
        "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray())));
  }

  private static Object sample(ValueType scalar) {
    return switch (scalar) {
      case BOOL -> true;
      case INT32 -> -7;
      case INT64 -> 1L << 40;
      case FLOAT -> 1.25f;
      case DOUBLE -> -0.5;
      case STRING -> "grüß";
      case BYTES -> java.nio.ByteBuffer.wrap(new byte[] {1, 2, 3}).asReadOnlyBuffer();
      case TIMESTAMP -> 1_700_000_000_123_456L;
      default -> throw new AssertionError(scalar);
    };
  }

  @Test
  void contentHash_rows_isSha256OfTheDocumentedEncoding() throws Exception {
    ValueType[] types = {ValueType.INT64, ValueType.STRING, ValueType.DOUBLE_LIST};
    Schema schema = new Schema(List.of(ArrowValues.field("id", types[0]), ArrowValues.field("tag", types[1]),
        ArrowValues.field("xs", types[2])));
    HashingSink sink = new HashingSink(List.of());
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      Object[][] rows = {{7L, "é", List.of(1.5, -2.0)}, {null, null, List.of()}};
      for (int r = 0; r < rows.length; r++) {
        for (int c = 0; c < types.length; c++) {
          ArrowValues.set(root.getVector(c), r, rows[r][c], types[c]);
        }
      }
      root.setRowCount(rows.length);
      sink.begin(root);
      sink.write(root);
    }

    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream expected = new DataOutputStream(bytes);
    expected.writeByte(1);
    expected.writeLong(7);
    expected.writeByte(1);
    expected.writeInt(2);
    expected.write("é".getBytes(StandardCharsets.UTF_8));
    expected.writeByte(1);
    expected.writeInt(2);
    expected.writeDouble(1.5);
    expected.writeDouble(-2.0);
    expected.writeByte(0);
    expected.writeByte(0);
    expected.writeByte(1);
    expected.writeInt(0);
    assertThat(sink.rows()).isEqualTo(2);
    assertThat(sink.contentHash()).isEqualTo(
        "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes.toByteArray())));
  }

  @Test
  void write_sinkBehindFails_throwsItsFailureAndCountsNoRows() {
    Schema schema = new Schema(List.of(ArrowValues.field("id", ValueType.INT64)));
    IllegalStateException full = new IllegalStateException("disk full");
    TrainingSetSink failing = new TrainingSetSink() {
      @Override
      public void begin(VectorSchemaRoot root) {}

      @Override
      public void write(VectorSchemaRoot batch) {
        throw full;
      }

      @Override
      public void finish() {}

      @Override
      public void abort(RuntimeException cause) {}
    };
    HashingSink sink = new HashingSink(List.of(failing));
    try (BufferAllocator allocator = new RootAllocator();
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator)) {
      root.allocateNew();
      ArrowValues.set(root.getVector(0), 0, 7L, ValueType.INT64);
      root.setRowCount(1);
      sink.begin(root);
      assertThatThrownBy(() -> sink.write(root)).isSameAs(full);
      sink.abort(full);
    }
    assertThat(sink.rows()).isZero();
  }
}
