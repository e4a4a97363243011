package dev.featurestore.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DefinitionsYamlTest {
  private static final String PREFIX = "Cannot read definitions: ";

  static Definitions exampleDefinitions() {
    return FeatureRepo.builder()
        .entity(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)).withDescription("A customer"))
        .entity(Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING)))
        .entity(Entity.of("device", JoinKey.of("device_vendor", ValueType.STRING),
            JoinKey.of("device_serial", ValueType.BYTES)))
        .view(FeatureView.builder("user_stats")
            .entity("user")
            .ttl(Duration.ofDays(1))
            .source(Source.batchFile("data/user_stats.parquet"))
            .feature("txn_count_7d", ValueType.INT64)
            .feature(new Feature("avg_amount_7d", ValueType.DOUBLE, "Mean transaction amount over 7 days"))
            .feature("tags", ValueType.STRING_LIST)
            .tag("team", "risk")
            .tag("tier", "1")
            .owner("risk@example.com")
            .description("Spending of a user"))
        .view(FeatureView.builder("merchant_stats")
            .entity("merchant")
            .ttl(Duration.ofHours(12))
            .source(Source.icebergTable("risk.merchant_stats"))
            .feature("avg_amount", ValueType.FLOAT)
            .feature("is_flagged", ValueType.BOOL))
        .view(FeatureView.builder("user_merchant_live")
            .entity("user")
            .entity("merchant")
            .source(Source.push())
            .feature("last_seen", ValueType.TIMESTAMP)
            .feature("recent_amounts", ValueType.DOUBLE_LIST))
        .service(new FeatureService("fraud_model",
            List.of(FeatureRef.allOf("user_stats"), FeatureRef.of("merchant_stats", "avg_amount"),
                FeatureRef.of("user_merchant_live", "last_seen")),
            "What the fraud model reads", Map.of(), "risk@example.com"))
        .build();
  }

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(Objects.requireNonNull(DefinitionsYamlTest.class.getResource("/" + name)).toURI());
  }

  @Test
  void read_exampleFile_givesTheDeclaredDefinitions() throws Exception {
    assertThat(DefinitionsYaml.read(resource("example-definitions.yaml"))).isEqualTo(exampleDefinitions());
  }

  @Test
  void writeThenParse_example_givesEqualDefinitions() {
    Definitions definitions = exampleDefinitions();

    assertThat(DefinitionsYaml.parse(DefinitionsYaml.write(definitions))).isEqualTo(definitions);
  }

  @Test
  void write_example_usesTheReadableForms() {
    String yaml = DefinitionsYaml.write(exampleDefinitions());

    assertThat(yaml)
        .startsWith("entities:\n  - name: user\n    join_keys:\n      user_id: INT64\n")
        .contains("    ttl: 1d\n", "    ttl: 12h\n", "    ttl: 0\n")
        .contains("      kind: PUSH\n", "      location: risk.merchant_stats\n")
        .contains("        type: list<string>\n", "      - user_stats:*\n")
        .contains("      tier: \"1\"\n");
  }

  @Test
  void writeThenRead_everyTypeAndTtlForm_givesEqualDefinitions(@TempDir Path dir) {
    FeatureView.Builder view = FeatureView.builder("all_types").entity("thing").source(Source.push());
    for (ValueType type : ValueType.values()) {
      view.feature(new Feature("f_" + type.name().toLowerCase(), type, "a " + type));
    }
    FeatureRepo.Builder repo = FeatureRepo.builder()
        .entity(Entity.of("thing", JoinKey.of("a", ValueType.INT32), JoinKey.of("b", ValueType.INT64),
            JoinKey.of("c", ValueType.STRING), JoinKey.of("d", ValueType.BYTES)))
        .view(view);
    List<Duration> ttls = List.of(Duration.ofSeconds(30), Duration.ofMinutes(15), Duration.ofHours(2),
        Duration.ofDays(7), Duration.ofSeconds(3_661), Duration.ofMillis(1_500), Duration.ZERO);
    for (int i = 0; i < ttls.size(); i++) {
      repo.view(FeatureView.builder("ttl_" + i).entity("thing").ttl(ttls.get(i)).feature("x", ValueType.BOOL)
          .source(Source.icebergTable("ns.t" + i)).tag("k" + i, "v: #" + i));
    }
    repo.service(FeatureService.of("everything", FeatureRef.allOf("all_types"), FeatureRef.of("ttl_3", "x")));
    Definitions definitions = repo.build();
    Path file = dir.resolve("defs.yaml");

    DefinitionsYaml.write(definitions, file);

    assertThat(DefinitionsYaml.read(file)).isEqualTo(definitions);
  }

  @Test
  void parse_ttlForms_giveTheirDurations() {
    String template = "entities: [{name: e, join_keys: {k: INT64}}]\n"
        + "feature_views: [{name: v, entities: [e], ttl: %s, features: [{name: f, type: int64}]}]\n";
    Map<String, Duration> forms = Map.of("30s", Duration.ofSeconds(30), "15m", Duration.ofMinutes(15),
        "2h", Duration.ofHours(2), "1d", Duration.ofDays(1), "7d", Duration.ofDays(7), "PT1H",
        Duration.ofHours(1), "pt1h30m", Duration.ofMinutes(90), "0", Duration.ZERO, "\"0\"", Duration.ZERO);

    forms.forEach((text, expected) -> assertThat(
        DefinitionsYaml.parse(String.format(template, text)).featureViews().get(0).ttl())
        .as(text).isEqualTo(expected));
  }

  @Test
  void parse_typeSpellings_giveTheirTypes() {
    Definitions definitions = DefinitionsYaml.parse("""
        entities: [{name: e, join_keys: {k: int32}}]
        feature_views:
          - name: v
            entities: [e]
            features:
              - {name: a, type: list<Int64>}
              - {name: b, type: TIMESTAMP_LIST}
              - {name: c, type: bytes}
        """);

    assertThat(definitions.featureViews().get(0).features()).extracting(Feature::type)
        .containsExactly(ValueType.INT64_LIST, ValueType.TIMESTAMP_LIST, ValueType.BYTES);
    assertThat(definitions.entities().get(0).joinKeys()).containsExactly(JoinKey.of("k", ValueType.INT32));
  }

  @Test
  void parse_emptyLists_giveEmptyDefinitions() {
    assertThat(DefinitionsYaml.parse("entities: []\n")).isEqualTo(Definitions.EMPTY);
    assertThat(DefinitionsYaml.parse(DefinitionsYaml.write(Definitions.EMPTY))).isEqualTo(Definitions.EMPTY);
  }

  private static final String ENTITY = "entities: [{name: user, join_keys: {user_id: INT64}}]\n";

  private static String view(String body) {
    return ENTITY + "feature_views:\n  - name: user_stats\n    entities: [user]\n" + body;
  }

  static Stream<Arguments> invalidDocuments() {
    String features = "    features: [{name: n, type: INT64}]\n";
    return Stream.of(
        Arguments.of("", "the document is empty (write 'entities: []' to mean none)"),
        Arguments.of("- a\n- b\n", "the document: expected a mapping of keys to values but got a list"),
        Arguments.of("entity: []\n",
            "the document: unknown field 'entity' (expected entities, feature_views, feature_services, models, experiments)"),
        Arguments.of("entities: {name: user}\n", "entities: expected a list but got a mapping"),
        Arguments.of("entities: [user]\n", "entities[0]: expected a mapping of keys to values but got 'user'"),
        Arguments.of("entities: [{join_keys: {user_id: INT64}}]\n", "entities[0]: missing field 'name'"),
        Arguments.of("entities: [{name: user}]\n", "entities[0] (user): missing field 'join_keys'"),
        Arguments.of("entities: [{name: user, join_keys: [user_id]}]\n",
            "entities[0] (user).join_keys: expected a mapping of keys to values but got a list"),
        Arguments.of("entities: [{name: user, join_keys: {user_id: DOUBLE}}]\n",
            "entities[0] (user).join_keys.user_id: cannot use join key 'user_id' of type DOUBLE: join keys are"
                + " INT32, INT64, STRING or BYTES"),
        Arguments.of("entities: [{name: user, join_keys: {user_id: LONG}}]\n",
            "entities[0] (user).join_keys.user_id: unknown value type 'LONG' (expected BOOL, INT32, INT64, FLOAT,"
                + " DOUBLE, STRING, BYTES, TIMESTAMP or list<TYPE>)"),
        Arguments.of("entities: [{name: User, join_keys: {user_id: INT64}}]\n",
            "entities[0] (User): cannot use entity name 'User': names are lower-case identifiers [a-z][a-z0-9_]*"),
        Arguments.of("entities: [{name: user, join_keys: {}}]\n",
            "entities[0] (user): cannot define entity 'user': it needs at least one join key"),
        Arguments.of("entities: [{name: user, join_keys: {user_id: INT64}, descripton: x}]\n",
            "entities[0] (user): unknown field 'descripton' (expected name, join_keys, description)"),
        Arguments.of(view(features + "    ttl_days: 3\n"),
            "feature_views[0] (user_stats): unknown field 'ttl_days' (expected name, entities, ttl, source,"
                + " features, tags, owner, description)"),
        Arguments.of(view("    features:\n      - {name: n, type: INT64}\n      - {name: m, type: BOOL}\n"
                + "      - {name: x, type: INTEGER}\n"),
            "feature_views[0] (user_stats).features[2].type: unknown value type 'INTEGER' (expected BOOL, INT32,"
                + " INT64, FLOAT, DOUBLE, STRING, BYTES, TIMESTAMP or list<TYPE>)"),
        Arguments.of(view("    features: [{name: n}]\n"),
            "feature_views[0] (user_stats).features[0]: missing field 'type'"),
        Arguments.of(view("    features: [{name: n, type: INT64, default: 0}]\n"),
            "feature_views[0] (user_stats).features[0]: unknown field 'default' (expected name, type, description)"),
        Arguments.of(view("    features: []\n"),
            "feature_views[0] (user_stats): cannot define feature view 'user_stats': it needs at least one feature"),
        Arguments.of(view(""), "feature_views[0] (user_stats): missing field 'features'"),
        Arguments.of(view(features + "    ttl: 3600\n"),
            "feature_views[0] (user_stats).ttl: duration 3600 has no unit (write 0, or for example 3600s, 15m, 2h,"
                + " 1d)"),
        Arguments.of(view(features + "    ttl: 3 days\n"),
            "feature_views[0] (user_stats).ttl: cannot parse duration '3 days' (expected 0, a whole number with"
                + " unit s, m, h or d such as 30s, 15m, 2h, 7d, or ISO-8601 such as PT1H)"),
        Arguments.of(view(features + "    ttl: -PT1H\n"),
            "feature_views[0] (user_stats).ttl: cannot parse duration '-PT1H' (expected 0, a whole number with"
                + " unit s, m, h or d such as 30s, 15m, 2h, 7d, or ISO-8601 such as PT1H)"),
        Arguments.of(view(features + "    ttl: PT-1H\n"),
            "feature_views[0] (user_stats).ttl: duration 'PT-1H' is negative (0 means no limit)"),
        Arguments.of(view(features + "    source: {kind: S3, location: s3://b/k}\n"),
            "feature_views[0] (user_stats).source.kind: unknown source kind 'S3' (expected BATCH_FILE,"
                + " ICEBERG_TABLE or PUSH)"),
        Arguments.of(view(features + "    source: {kind: ICEBERG_TABLE}\n"),
            "feature_views[0] (user_stats).source: cannot use an ICEBERG_TABLE source without a table identifier"),
        Arguments.of(view(features + "    source: {kind: PUSH, path: x}\n"),
            "feature_views[0] (user_stats).source: unknown field 'path' (expected kind, location)"),
        Arguments.of(view(features + "    source: PUSH\n"),
            "feature_views[0] (user_stats).source: expected a mapping of keys to values but got 'PUSH'"),
        Arguments.of(view(features + "    tags: {team: [a, b]}\n"),
            "feature_views[0] (user_stats).tags.team: expected a single value but got a list"),
        Arguments.of(view(features + "    owner: {name: x}\n"),
            "feature_views[0] (user_stats).owner: expected a single value but got a mapping"),
        Arguments.of(ENTITY + "feature_views: [{name: v, entities: user, features: [{name: n, type: BOOL}]}]\n",
            "feature_views[0] (v).entities: expected a list but got 'user'"),
        Arguments.of(ENTITY + "feature_views: [{name: v, entities: [usr], features: [{name: n, type: BOOL}]}]\n",
            "cannot define feature view 'v': entity 'usr' is not defined"),
        Arguments.of(view(features) + "feature_services: [{name: s, features: [user_stats]}]\n",
            "feature_services[0] (s).features[0]: cannot parse feature reference 'user_stats': expected"
                + " 'view:feature' or 'view:*'"),
        Arguments.of(view(features) + "feature_services: [{name: s, features: [\"user_stats:m\"]}]\n",
            "cannot define feature service 's': reference 'user_stats:m' names no feature of view 'user_stats'"),
        Arguments.of(view(features) + "feature_services: [{name: s, feature: [\"user_stats:n\"]}]\n",
            "feature_services[0] (s): unknown field 'feature' (expected name, features, tags, owner, description)"),
        Arguments.of("entities: [{name: user, name: x, join_keys: {user_id: INT64}}]\n",
            "line 1, column 29: Duplicate field 'name'"),
        Arguments.of("entities: [{name: user\n",
            "line 2, column 1: expected ',' or '}', but got <stream end> (while parsing a flow mapping)"));
  }

  @ParameterizedTest
  @MethodSource("invalidDocuments")
  void parse_invalidDocument_namesThePlace(String yaml, String message) {
    assertThatThrownBy(() -> DefinitionsYaml.parse(yaml))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage(PREFIX + message);
  }

  @Test
  void read_invalidFile_namesTheFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "entities: [{name: user, join_keys: {user_id: INT64}, ttl: 1d}]\n");

    assertThatThrownBy(() -> DefinitionsYaml.read(file))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read definitions from " + file
            + ": entities[0] (user): unknown field 'ttl' (expected name, join_keys, description)");
  }

  @Test
  void read_missingFile_isNotFound(@TempDir Path dir) {
    Path file = dir.resolve("missing.yaml");

    assertThatThrownBy(() -> DefinitionsYaml.read(file))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot read definitions from " + file + ": the file does not exist");
  }
}
