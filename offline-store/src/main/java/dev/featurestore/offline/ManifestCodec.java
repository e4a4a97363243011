package dev.featurestore.offline;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.offline.internal.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON of a {@link TrainingSetManifest}:
 *
 * <pre>{@code
 * {"format_version": 1, "created_at": "2026-01-01T00:00:00Z",
 *  "request": {"entity_file": "entities.parquet", "entity_sha256": "9f...", "features": ["txn:amount"],
 *              "naming": "SHORT", "visibility": "ALL_WRITES"},
 *  "definitions_version": 3,
 *  "snapshots": {"txn": 6502133451726457740, "new_view": null},
 *  "rows": 1000, "content_hash": "sha256:4a...",
 *  "output": "out.parquet", "table": {"name": "training.fraud_v1", "snapshot_id": 812...}}
 * }</pre>
 *
 * A {@code null} snapshot is a view that had no table. {@code feature_service} replaces {@code features} for a
 * service; {@code output} and {@code table} are absent when there was none.
 */
final class ManifestCodec {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ManifestCodec() {}

  static byte[] toJson(TrainingSetManifest m) {
    try {
      return JSON.writeValueAsBytes(toTree(m));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The manifest as a JSON object, to embed (a Flight {@code as_of} request carries one). */
  static ObjectNode toTree(TrainingSetManifest m) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", m.formatVersion());
    root.put("created_at", m.createdAt().toString());
    ObjectNode request = root.putObject("request");
    request.put("entity_file", m.entityFile().toString());
    request.put("entity_sha256", m.entitySha256());
    if (m.featureService() != null) {
      request.put("feature_service", m.featureService());
    } else {
      ArrayNode refs = request.putArray("features");
      m.features().forEach(ref -> refs.add(ref.toString()));
    }
    request.put("naming", m.naming().name());
    request.put("visibility", m.visibility().name());
    root.put("definitions_version", m.definitionsVersion());
    ObjectNode snapshots = root.putObject("snapshots");
    new java.util.TreeMap<>(m.snapshotIds()).forEach(snapshots::put);
    m.viewsWithoutTable().stream().sorted().forEach(snapshots::putNull);
    root.put("rows", m.rows());
    root.put("content_hash", m.contentHash());
    if (m.output() != null) {
      root.put("output", m.output().toString());
    }
    if (m.table() != null) {
      ObjectNode table = root.putObject("table");
      table.put("name", m.table());
      if (m.tableSnapshotId() == null) {
        table.putNull("snapshot_id");
      } else {
        table.put("snapshot_id", m.tableSnapshotId());
      }
    }
    return root;
  }

  static TrainingSetManifest fromJson(byte[] json, String source) {
    String action = "Cannot read training-set manifest '" + source + "'";
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidRequestException(action + ": not JSON (" + e.getMessage() + ")", e);
    }
    return fromTree(root, source);
  }

  /** Reads a manifest from a JSON tree; {@code source} names it in messages (a file, or a request's field). */
  static TrainingSetManifest fromTree(JsonNode root, String source) {
    String action = "Cannot read training-set manifest '" + source + "'";
    if (root == null || !root.isObject()) {
      throw new InvalidRequestException(action + ": expected a JSON object");
    }
    JsonNode request = required(root, "request", action);
    List<FeatureRef> features = new ArrayList<>();
    JsonNode refs = request.get("features");
    if (refs != null && !refs.isNull()) {
      if (!refs.isArray()) {
        throw new InvalidRequestException(action + ": field 'request.features' must be an array, not " + refs);
      }
      for (JsonNode ref : refs) {
        try {
          features.add(FeatureRef.parse(ref.asText()));
        } catch (IllegalArgumentException e) {
          throw new InvalidRequestException(action + ": field 'request.features' has " + ref + ": "
              + e.getMessage(), e);
        }
      }
    }
    Map<String, Long> snapshotIds = new LinkedHashMap<>();
    List<String> withoutTable = new ArrayList<>();
    JsonNode snapshots = required(root, "snapshots", action);
    for (Iterator<Map.Entry<String, JsonNode>> it = snapshots.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (entry.getValue().isNull()) {
        withoutTable.add(entry.getKey());
      } else if (entry.getValue().canConvertToExactIntegral() && entry.getValue().canConvertToLong()) {
        snapshotIds.put(entry.getKey(), entry.getValue().asLong());
      } else {
        throw new InvalidRequestException(action + ": field 'snapshots." + entry.getKey()
            + "' must be a snapshot id or null, not " + entry.getValue());
      }
    }
    JsonNode table = root.get("table");
    String tableName = table == null || table.isNull() ? null : text(table, "name", action, true);
    Long tableSnapshot = table == null || table.isNull() || table.path("snapshot_id").isNull()
        || table.path("snapshot_id").isMissingNode() ? null : table.get("snapshot_id").asLong();
    String output = text(root, "output", action, false);
    try {
      return new TrainingSetManifest(
          number(root, "format_version", action).intValue(),
          instant(root, action),
          Path.of(text(request, "entity_file", action, true)),
          text(request, "entity_sha256", action, true),
          features,
          text(request, "feature_service", action, false),
          FeatureNaming.valueOf(text(request, "naming", action, true)),
          TrainingSetRequest.Visibility.valueOf(text(request, "visibility", action, true)),
          number(root, "definitions_version", action).longValue(),
          snapshotIds,
          withoutTable,
          number(root, "rows", action).longValue(),
          text(root, "content_hash", action, true),
          output == null ? null : Path.of(output),
          tableName,
          tableSnapshot);
    } catch (IllegalArgumentException e) {
      throw new InvalidRequestException(action + ": " + e.getMessage(), e);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException(action + ": " + e.getMessage().replaceFirst("^Cannot [^:]*: ", ""), e);
    }
  }

  static TrainingSetManifest read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new InvalidRequestException("Cannot read training-set manifest '" + file + "': no such file", e);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read training-set manifest '" + file + "': " + e.getMessage(), e);
    }
    return fromJson(bytes, file.toString());
  }

  static void write(TrainingSetManifest manifest, Path file) {
    Path target = file.toAbsolutePath();
    try {
      AtomicFiles.write(target, temp -> Files.write(temp, toJson(manifest)));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write training-set manifest '" + target + "': " + e.getMessage(), e);
    }
  }


  /** Lowercase hex SHA-256 of a file's bytes. */
  static String sha256(Path file, String action) {
    if (!Files.isRegularFile(file)) {
      throw new InvalidRequestException(action + ": file '" + file + "' does not exist");
    }
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (IOException e) {
      throw new UncheckedIOException(action + ": cannot read '" + file + "' (" + e.getMessage() + ")", e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static JsonNode required(JsonNode node, String field, String action) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull() || !value.isObject()) {
      throw new InvalidRequestException(action + ": field '" + field + "' must be an object, not " + value);
    }
    return value;
  }

  private static String text(JsonNode node, String field, String action, boolean required) {
    JsonNode value = node.get(field);
    if (value == null || value.isNull()) {
      if (required) {
        throw new InvalidRequestException(action + ": field '" + field + "' is missing");
      }
      return null;
    }
    if (!value.isTextual() || value.asText().isEmpty()) {
      throw new InvalidRequestException(action + ": field '" + field + "' must be a non-empty string, not " + value);
    }
    return value.asText();
  }

  private static Number number(JsonNode node, String field, String action) {
    JsonNode value = node.get(field);
    if (value == null || !value.canConvertToExactIntegral() || !value.canConvertToLong()) {
      throw new InvalidRequestException(action + ": field '" + field + "' must be an integer, not " + value);
    }
    return value.asLong();
  }

  private static Instant instant(JsonNode node, String action) {
    String text = text(node, "created_at", action, true);
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      throw new InvalidRequestException(action + ": field 'created_at' must be an ISO-8601 instant, not '" + text
          + "'", e);
    }
  }
}
