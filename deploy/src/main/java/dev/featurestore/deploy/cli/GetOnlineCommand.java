package dev.featurestore.deploy.cli;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.sdk.BlockingFeatureStoreClient;
import dev.featurestore.sdk.OnlineRequest;
import dev.featurestore.sdk.OnlineResponse;
import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "get-online", mixinStandardHelpOptions = true,
    description = {
      "Reads the latest feature values of entities from the running server over gRPC.",
      "Prints per entity and feature the value, its event time and the status: PRESENT, NOT_FOUND, "
          + "OUTSIDE_MAX_AGE (older than the view's TTL) or NULL_VALUE.",
      "Example: fstore get-online --service fraud_model --entity user_id=7,merchant_id=3"
    })
final class GetOnlineCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Mixin
  ConfigOptions config;

  @ArgGroup(exclusive = true, multiplicity = "1")
  FeatureSelectionOptions selection;

  @Option(names = {"-e", "--entity"}, required = true, paramLabel = "KEY=VALUE[,KEY=VALUE]",
      description = "One entity row as join key values; repeat for several rows.")
  List<String> entities;

  @Option(names = "--full-names", description = "Name every feature view__feature.")
  boolean fullNames;

  @Override
  public void run() {
    try (BlockingFeatureStoreClient client = BlockingFeatureStoreClient.connect(config.host, config.port)) {
      Definitions definitions = client.definitions().definitions();
      List<Map<String, Object>> rows = new ArrayList<>();
      for (String entity : entities) {
        rows.add(parseRow(entity, definitions));
      }
      OnlineRequest request = (selection.isService()
          ? OnlineRequest.ofService(selection.service)
          : OnlineRequest.ofFeatures(selection.refs()))
          .withEntityRows(rows)
          .withNaming(fullNames ? FeatureNaming.FULL : FeatureNaming.SHORT);
      print(rows, client.getOnlineFeatures(request), out());
    }
  }

  static void print(List<Map<String, Object>> rows, OnlineResponse response, PrintWriter out) {
    out.printf("%-28s %-24s %-16s %-16s %s%n", "entity", "feature", "value", "status", "event_timestamp");
    for (int i = 0; i < response.size(); i++) {
      for (String name : response.featureNames()) {
        OnlineResponse.FeatureValue value = response.feature(i, name);
        String time = value.eventTimestamp() == 0 ? "-"
            : Instant.EPOCH.plus(value.eventTimestamp(), java.time.temporal.ChronoUnit.MICROS).toString();
        out.printf("%-28s %-24s %-16s %-16s %s%n", rows.get(i), name,
            value.value() == null ? "-" : value.value(), value.status(), time);
      }
    }
  }

  private static Map<String, Object> parseRow(String text, Definitions definitions) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (String pair : text.split(",")) {
      int equals = pair.indexOf('=');
      if (equals <= 0) {
        throw new InvalidRequestException(
            "Cannot read --entity '" + text + "': expected KEY=VALUE pairs separated by commas");
      }
      String key = pair.substring(0, equals).trim();
      row.put(key, TypedText.fromText(pair.substring(equals + 1), keyType(key, definitions).type(), key));
    }
    return row;
  }

  private static JoinKey keyType(String name, Definitions definitions) {
    for (Entity entity : definitions.entities()) {
      for (JoinKey key : entity.joinKeys()) {
        if (key.name().equals(name)) {
          return key;
        }
      }
    }
    throw new InvalidRequestException("Cannot read --entity: no entity has a join key '" + name + "'");
  }

  private java.io.PrintWriter out() {
    return spec.commandLine().getOut();
  }
}
