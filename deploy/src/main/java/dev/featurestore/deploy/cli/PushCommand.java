package dev.featurestore.deploy.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.sdk.BlockingFeatureStoreClient;
import dev.featurestore.sdk.PushRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "push", mixinStandardHelpOptions = true,
    description = {
      "Pushes fresh rows of a feature view to the running server's online tier, event-time-wins.",
      "FILE holds one JSON object per line with the view's join keys, its features (a missing one is null), "
          + "event_timestamp and optionally created_timestamp (ISO-8601 instants or epoch microseconds), e.g.",
      "  {\"user_id\": 7, \"txn_count_7d\": 3, \"event_timestamp\": \"2026-11-23T10:00:00Z\"}",
      "The whole file is checked first; a bad row is refused with its line and field, and nothing is written."
    })
final class PushCommand implements Runnable {
  @Spec
  CommandSpec spec;

  private static final ObjectMapper JSON = new ObjectMapper();

  @Mixin
  ConfigOptions config;

  @Option(names = {"-v", "--view"}, required = true, paramLabel = "VIEW", description = "The feature view.")
  String view;

  @Parameters(index = "0", paramLabel = "FILE", description = "JSON lines, one row per line.")
  Path file;

  @Override
  public void run() {
    try (BlockingFeatureStoreClient client = BlockingFeatureStoreClient.connect(config.host, config.port)) {
      Definitions definitions = client.definitions().definitions();
      FeatureView featureView = definitions.requireView(view);
      List<PushRow> rows = readRows(featureView, definitions.joinKeys(featureView));
      long written = client.push(view, rows);
      out().printf("pushed %,d rows to '%s'%n", written, view);
    }
  }

  private List<PushRow> readRows(FeatureView featureView, List<JoinKey> joinKeys) {
    List<PushRow> rows = new ArrayList<>();
    try (BufferedReader reader = Files.newBufferedReader(file)) {
      String line;
      int lineNumber = 0;
      while ((line = reader.readLine()) != null) {
        lineNumber++;
        if (line.isBlank()) {
          continue;
        }
        rows.add(row(featureView, joinKeys, line, lineNumber));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read push rows from " + file, e);
    }
    if (rows.isEmpty()) {
      throw new InvalidRequestException("Cannot push '" + file + "': it holds no rows");
    }
    return rows;
  }

  private PushRow row(FeatureView featureView, List<JoinKey> joinKeys, String line, int lineNumber) {
    String where = "line " + lineNumber + " of " + file.getFileName();
    Map<String, Object> object;
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> parsed = JSON.readValue(line, Map.class);
      object = new LinkedHashMap<>(parsed);
    } catch (IOException e) {
      throw new InvalidRequestException("Cannot push " + where + ": it is not a JSON object");
    }
    Map<String, Object> keys = new LinkedHashMap<>();
    for (JoinKey key : joinKeys) {
      keys.put(key.name(), TypedText.toType(object.remove(key.name()), key.type(), where + ": " + key.name()));
    }
    Object event = object.remove("event_timestamp");
    if (event == null) {
      throw new InvalidRequestException("Cannot push " + where + ": event_timestamp is missing");
    }
    long eventMicros = (Long) TypedText.toType(event, dev.featurestore.api.ValueType.TIMESTAMP,
        where + ": event_timestamp");
    Object created = object.remove("created_timestamp");
    Map<String, Object> features = new LinkedHashMap<>();
    for (Feature feature : featureView.features()) {
      if (object.containsKey(feature.name())) {
        features.put(feature.name(),
            TypedText.toType(object.remove(feature.name()), feature.type(), where + ": " + feature.name()));
      }
    }
    if (!object.isEmpty()) {
      throw new InvalidRequestException("Cannot push " + where + ": view '" + featureView.name()
          + "' has no join key or feature " + object.keySet());
    }
    PushRow row = PushRow.of(keys, features, eventMicros);
    return created == null ? row : row.withCreatedTimestamp(
        (Long) TypedText.toType(created, dev.featurestore.api.ValueType.TIMESTAMP, where + ": created_timestamp"));
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
