package dev.featurestore.sdk;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.util.StringQuotingChecker;
import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.definition.ModelVersion;
import dev.featurestore.api.definition.Source;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.InvalidRequestException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads and writes {@link Definitions} as YAML, the form in which teams that do not write Java keep their
 * declarations. {@link #write} then {@link #read} gives back equal definitions.
 *
 * <p>The format, every key optional unless marked required:
 *
 * <pre>{@code
 * entities:
 *   - name: user                        # required, [a-z][a-z0-9_]*
 *     join_keys: {user_id: INT64}       # required, ordered: name -> INT32 | INT64 | STRING | BYTES
 *     description: A customer
 * feature_views:
 *   - name: user_stats                  # required
 *     entities: [user]                  # required; the row key is their join keys in this order
 *     ttl: 1d                           # 0 (the default) = no limit; 30s, 15m, 2h, 1d, 7d or ISO-8601 (PT1H30M)
 *     source: {kind: BATCH_FILE, location: data/user_stats.parquet}
 *                                       # or {kind: PUSH} or {kind: ICEBERG_TABLE, location: ns.tbl}
 *     features:                         # required
 *       - {name: txn_count_7d, type: INT64}
 *       - {name: tags, type: list<string>, description: Labels of the user}
 *     tags: {team: risk}
 *     owner: risk@example.com
 *     description: Spending of a user
 * feature_services:
 *   - name: fraud_model                 # required
 *     features: ["user_stats:*", "merchant_stats:avg_amount"]   # required: view:feature or view:* references
 *     tags: {team: risk}
 *     owner: risk@example.com
 *     description: What the fraud model reads
 * models:                               # each entry one immutable model version
 *   - name: fraud_lr                    # required
 *     version: 1                        # required, 1 or more
 *     artifact: fraud_lr_1.onnx         # required; relative to the server's model directory (<data-dir>/models)
 *     sha256: 3f2a...                   # required, hex SHA-256 of the file
 *     feature_service: fraud_model      # required
 *     score_output: score               # required: the ONNX output holding the score
 *     inputs:                           # required, in tensor column order
 *       - {feature: "user_stats:txn_count_7d", tensor: x, type: INT64, default: 0}
 *     description: Logistic regression on spending
 * experiments:
 *   - name: fraud_ab                    # required
 *     unit_key: user_id                 # required: a join key of the models' feature service
 *     salt: 2026-11                     # default: the experiment's name
 *     variants:                         # required
 *       - {name: control, weight: 90, model: fraud_lr@1}
 *       - {name: treatment, weight: 10, model: fraud_lr@2}
 *     shadows: [fraud_mlp@1]            # scored and logged, never answered
 *     description: New weights on 10% of users
 * }</pre>
 *
 * <p>Value types are {@code BOOL, INT32, INT64, FLOAT, DOUBLE, STRING, BYTES, TIMESTAMP} and {@code list<TYPE>} (also
 * written {@code TYPE_LIST}), in any case. Unknown keys are refused, so that a typo never silently drops a setting.
 * Every error is an {@link InvalidRequestException} whose message names the place, for example {@code Cannot read
 * definitions: feature_views[1] (user_stats).features[2].type: unknown value type 'INTEGER' (...)}.
 *
 * <p>Stateless and thread-safe.
 */
public final class DefinitionsYaml {
  private static final String ENTITIES = "entities";
  private static final String FEATURE_VIEWS = "feature_views";
  private static final String FEATURE_SERVICES = "feature_services";
  private static final String MODELS = "models";
  private static final String EXPERIMENTS = "experiments";
  private static final List<String> ROOT_FIELDS =
      List.of(ENTITIES, FEATURE_VIEWS, FEATURE_SERVICES, MODELS, EXPERIMENTS);
  private static final List<String> MODEL_FIELDS = List.of("name", "version", "artifact", "sha256",
      "feature_service", "score_output", "inputs", "description");
  private static final List<String> INPUT_FIELDS = List.of("feature", "tensor", "type", "default");
  private static final List<String> EXPERIMENT_FIELDS =
      List.of("name", "unit_key", "salt", "variants", "shadows", "description");
  private static final List<String> VARIANT_FIELDS = List.of("name", "weight", "model");
  private static final List<String> ENTITY_FIELDS = List.of("name", "join_keys", "description");
  private static final List<String> VIEW_FIELDS =
      List.of("name", "entities", "ttl", "source", "features", "tags", "owner", "description");
  private static final List<String> SOURCE_FIELDS = List.of("kind", "location");
  private static final List<String> FEATURE_FIELDS = List.of("name", "type", "description");
  private static final List<String> SERVICE_FIELDS = List.of("name", "features", "tags", "owner", "description");
  private static final String TYPE_CHOICES =
      "BOOL, INT32, INT64, FLOAT, DOUBLE, STRING, BYTES, TIMESTAMP or list<TYPE>";
  private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,12})\\s*([smhd])");

  private static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
          // A key given twice is almost always a copy-paste mistake; silently keeping the last would hide it.
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
          .disable(YAMLGenerator.Feature.SPLIT_LINES)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
          .stringQuotingChecker(new PlainWhenSafe())
          .build())
      .build();

  private DefinitionsYaml() {}

  /**
   * Reads definitions from a YAML file.
   *
   * @throws InvalidRequestException naming the file and the place inside it when the file is not valid definitions
   * @throws dev.featurestore.api.error.NotFoundException when the file does not exist
   * @throws FeatureStoreException when the file cannot be read
   */
  public static Definitions read(Path file) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new dev.featurestore.api.error.NotFoundException(
          "Cannot read definitions from " + file + ": the file does not exist");
    } catch (IOException e) {
      throw new FeatureStoreException("Cannot read definitions from " + file + ": " + e.getMessage(), e);
    }
    return new Reader("Cannot read definitions from " + file).read(text);
  }

  /**
   * Parses definitions from YAML text.
   *
   * @throws InvalidRequestException naming the place when the text is not valid definitions
   */
  public static Definitions parse(String yaml) {
    Objects.requireNonNull(yaml, "yaml");
    return new Reader("Cannot read definitions").read(yaml);
  }

  /** The YAML form of {@code definitions}; empty optional fields are left out. */
  public static String write(Definitions definitions) {
    Objects.requireNonNull(definitions, "definitions");
    try {
      return MAPPER.writeValueAsString(Writer.tree(definitions));
    } catch (IOException e) {
      // Writing a tree of strings to memory does not fail; if it does, it is a bug here.
      throw new FeatureStoreException("Cannot write definitions: " + e.getMessage(), e);
    }
  }

  /**
   * Writes the YAML form of {@code definitions} to {@code file}, replacing it.
   *
   * @throws FeatureStoreException naming the file when it cannot be written
   */
  public static void write(Definitions definitions, Path file) {
    Objects.requireNonNull(file, "file");
    String yaml = write(definitions);
    try {
      Files.writeString(file, yaml, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new FeatureStoreException("Cannot write definitions to " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Leaves a string unquoted only when every YAML reader takes it back as the same string: names, identifiers,
   * references, paths and prose. Jackson's default lets some through that read back as numbers ({@code .inf}).
   */
  private static final class PlainWhenSafe extends StringQuotingChecker {
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z][A-Za-z0-9_./@*<>()+,=: -]*");
    private static final java.util.Set<String> RESERVED =
        java.util.Set.of("true", "false", "yes", "no", "on", "off", "y", "n", "null");

    @Override
    public boolean needToQuoteName(String name) {
      return needToQuoteValue(name);
    }

    @Override
    public boolean needToQuoteValue(String value) {
      if (SHORT_DURATION.matcher(value).matches()) {
        return false;
      }
      return !PLAIN.matcher(value).matches()
          || RESERVED.contains(value.toLowerCase(Locale.ROOT))
          || value.contains(": ")
          || value.endsWith(":")
          || value.endsWith(" ");
    }
  }

  /** Writes the format documented on the class; the type, TTL and source forms are the ones the reader takes. */
  private static final class Writer {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    static ObjectNode tree(Definitions definitions) {
      ObjectNode root = NODES.objectNode();
      ArrayNode entities = root.putArray(ENTITIES);
      for (Entity entity : definitions.entities()) {
        ObjectNode node = entities.addObject();
        node.put("name", entity.name());
        ObjectNode keys = node.putObject("join_keys");
        for (JoinKey key : entity.joinKeys()) {
          keys.put(key.name(), typeName(key.type()));
        }
        putIfNotEmpty(node, "description", entity.description());
      }
      ArrayNode views = root.putArray(FEATURE_VIEWS);
      for (FeatureView view : definitions.featureViews()) {
        ObjectNode node = views.addObject();
        node.put("name", view.name());
        ArrayNode entityNames = node.putArray("entities");
        view.entities().forEach(entityNames::add);
        if (view.ttl().isZero()) {
          node.put("ttl", 0);
        } else {
          node.put("ttl", durationText(view.ttl()));
        }
        ObjectNode source = node.putObject("source");
        source.put("kind", view.source().kind().name());
        putIfNotEmpty(source, "location", view.source().location());
        ArrayNode features = node.putArray("features");
        for (Feature feature : view.features()) {
          ObjectNode featureNode = features.addObject();
          featureNode.put("name", feature.name());
          featureNode.put("type", typeName(feature.type()));
          putIfNotEmpty(featureNode, "description", feature.description());
        }
        putTags(node, view.tags());
        putIfNotEmpty(node, "owner", view.owner());
        putIfNotEmpty(node, "description", view.description());
      }
      ArrayNode services = root.putArray(FEATURE_SERVICES);
      for (FeatureService service : definitions.featureServices()) {
        ObjectNode node = services.addObject();
        node.put("name", service.name());
        ArrayNode refs = node.putArray("features");
        service.features().forEach(ref -> refs.add(ref.toString()));
        putTags(node, service.tags());
        putIfNotEmpty(node, "owner", service.owner());
        putIfNotEmpty(node, "description", service.description());
      }
      if (!definitions.models().isEmpty()) {
        ArrayNode models = root.putArray(MODELS);
        for (Model model : definitions.models()) {
          ObjectNode node = models.addObject();
          node.put("name", model.name());
          node.put("version", model.version());
          node.put("artifact", model.artifact());
          node.put("sha256", model.sha256());
          node.put("feature_service", model.featureService());
          node.put("score_output", model.scoreOutput());
          ArrayNode inputs = node.putArray("inputs");
          for (ModelInput input : model.inputs()) {
            ObjectNode inputNode = inputs.addObject();
            inputNode.put("feature", input.feature().toString());
            inputNode.put("tensor", input.tensor());
            inputNode.put("type", typeName(input.type()));
            inputNode.put("default", input.defaultValue());
          }
          putIfNotEmpty(node, "description", model.description());
        }
      }
      if (!definitions.experiments().isEmpty()) {
        ArrayNode experiments = root.putArray(EXPERIMENTS);
        for (Experiment experiment : definitions.experiments()) {
          ObjectNode node = experiments.addObject();
          node.put("name", experiment.name());
          node.put("unit_key", experiment.unitKey());
          node.put("salt", experiment.salt());
          ArrayNode variants = node.putArray("variants");
          for (Experiment.Variant variant : experiment.variants()) {
            variants.addObject().put("name", variant.name()).put("weight", variant.weight())
                .put("model", variant.model().toString());
          }
          if (!experiment.shadows().isEmpty()) {
            ArrayNode shadows = node.putArray("shadows");
            experiment.shadows().forEach(id -> shadows.add(id.toString()));
          }
          putIfNotEmpty(node, "description", experiment.description());
        }
      }
      return root;
    }

    private static void putTags(ObjectNode node, Map<String, String> tags) {
      if (!tags.isEmpty()) {
        // Records hold tags in an unordered map; sorting keeps the written file stable from run to run.
        ObjectNode tagNode = node.putObject("tags");
        new TreeMap<>(tags).forEach(tagNode::put);
      }
    }

    private static void putIfNotEmpty(ObjectNode node, String field, String value) {
      if (!value.isEmpty()) {
        node.put(field, value);
      }
    }

    static String typeName(ValueType type) {
      return type.isList() ? "list<" + type.elementType().name().toLowerCase(Locale.ROOT) + ">" : type.name();
    }

    static String durationText(Duration ttl) {
      if (ttl.getNano() != 0) {
        return ttl.toString();
      }
      long seconds = ttl.getSeconds();
      if (seconds % 86_400 == 0) {
        return seconds / 86_400 + "d";
      }
      if (seconds % 3_600 == 0) {
        return seconds / 3_600 + "h";
      }
      if (seconds % 60 == 0) {
        return seconds / 60 + "m";
      }
      return seconds + "s";
    }
  }

  /** Maps a YAML tree to definitions by hand, so that every failure names its place in the document. */
  private static final class Reader {
    private final String action;

    Reader(String action) {
      this.action = action;
    }

    Definitions read(String text) {
      JsonNode root;
      try {
        root = MAPPER.readTree(text);
      } catch (JacksonException e) {
        throw new InvalidRequestException(action + ": " + syntaxProblem(e), e);
      }
      if (root == null || root.isMissingNode() || root.isNull()) {
        throw new InvalidRequestException(action + ": the document is empty (write 'entities: []' to mean none)");
      }
      ObjectNode mapping = mapping(root, "the document");
      checkFields(mapping, "the document", ROOT_FIELDS);
      List<Entity> entities = new ArrayList<>();
      List<FeatureView> views = new ArrayList<>();
      List<FeatureService> services = new ArrayList<>();
      List<JsonNode> entityNodes = list(mapping.get(ENTITIES), ENTITIES);
      for (int i = 0; i < entityNodes.size(); i++) {
        entities.add(entity(entityNodes.get(i), ENTITIES + "[" + i + "]"));
      }
      List<JsonNode> viewNodes = list(mapping.get(FEATURE_VIEWS), FEATURE_VIEWS);
      for (int i = 0; i < viewNodes.size(); i++) {
        views.add(view(viewNodes.get(i), FEATURE_VIEWS + "[" + i + "]"));
      }
      List<JsonNode> serviceNodes = list(mapping.get(FEATURE_SERVICES), FEATURE_SERVICES);
      for (int i = 0; i < serviceNodes.size(); i++) {
        services.add(service(serviceNodes.get(i), FEATURE_SERVICES + "[" + i + "]"));
      }
      List<Model> models = new ArrayList<>();
      List<JsonNode> modelNodes = list(mapping.get(MODELS), MODELS);
      for (int i = 0; i < modelNodes.size(); i++) {
        models.add(model(modelNodes.get(i), MODELS + "[" + i + "]"));
      }
      List<Experiment> experiments = new ArrayList<>();
      List<JsonNode> experimentNodes = list(mapping.get(EXPERIMENTS), EXPERIMENTS);
      for (int i = 0; i < experimentNodes.size(); i++) {
        experiments.add(experiment(experimentNodes.get(i), EXPERIMENTS + "[" + i + "]"));
      }
      try {
        return new Definitions(entities, views, services, models, experiments);
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(action + ": " + lowerFirst(e.getMessage()), e);
      }
    }

    /** One line naming where the YAML parser stopped and why; SnakeYAML's own message spans several lines. */
    private static String syntaxProblem(JacksonException e) {
      if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
        Mark mark = marked.getProblemMark();
        String context = marked.getContext() == null ? "" : " (" + marked.getContext() + ")";
        return "line " + (mark.getLine() + 1) + ", column " + (mark.getColumn() + 1) + ": " + marked.getProblem()
            + context;
      }
      JsonLocation at = e.getLocation();
      String where = at == null ? "" : "line " + at.getLineNr() + ", column " + at.getColumnNr() + ": ";
      return where + e.getOriginalMessage();
    }

    private Entity entity(JsonNode node, String index) {
      String place = named(index, node);
      ObjectNode object = mapping(node, place);
      checkFields(object, place, ENTITY_FIELDS);
      String name = requiredText(object, "name", place);
      JsonNode keysNode = required(object, "join_keys", place);
      ObjectNode keysObject = mapping(keysNode, place + ".join_keys");
      List<JoinKey> keys = new ArrayList<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = keysObject.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        String keyPlace = place + ".join_keys." + entry.getKey();
        ValueType type = type(entry.getValue(), keyPlace);
        keys.add(build(keyPlace, () -> JoinKey.of(entry.getKey(), type)));
      }
      String description = optionalText(object, "description", place);
      return build(place, () -> new Entity(name, keys, description));
    }

    private FeatureView view(JsonNode node, String index) {
      String place = named(index, node);
      ObjectNode object = mapping(node, place);
      checkFields(object, place, VIEW_FIELDS);
      String name = requiredText(object, "name", place);
      List<String> entities = textList(required(object, "entities", place), place + ".entities");
      Duration ttl = object.hasNonNull("ttl") ? duration(object.get("ttl"), place + ".ttl") : Duration.ZERO;
      Source source = object.hasNonNull("source") ? source(object.get("source"), place + ".source") : null;
      List<JsonNode> featureNodes = list(required(object, "features", place), place + ".features");
      List<Feature> features = new ArrayList<>();
      for (int i = 0; i < featureNodes.size(); i++) {
        features.add(feature(featureNodes.get(i), place + ".features[" + i + "]"));
      }
      Map<String, String> tags = tags(object.get("tags"), place + ".tags");
      String owner = optionalText(object, "owner", place);
      String description = optionalText(object, "description", place);
      return build(place, () -> new FeatureView(name, entities, features, ttl, source, tags, owner, description));
    }

    private Feature feature(JsonNode node, String place) {
      ObjectNode object = mapping(node, place);
      checkFields(object, place, FEATURE_FIELDS);
      String name = requiredText(object, "name", place);
      ValueType type = type(required(object, "type", place), place + ".type");
      String description = optionalText(object, "description", place);
      return build(place, () -> new Feature(name, type, description));
    }

    private Source source(JsonNode node, String place) {
      ObjectNode object = mapping(node, place);
      checkFields(object, place, SOURCE_FIELDS);
      String kindText = requiredText(object, "kind", place);
      Source.Kind kind;
      try {
        kind = Source.Kind.valueOf(kindText.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw fail(place + ".kind", "unknown source kind '" + kindText + "' (expected BATCH_FILE, ICEBERG_TABLE or PUSH)");
      }
      String location = optionalText(object, "location", place);
      return build(place, () -> new Source(kind, location));
    }

    private FeatureService service(JsonNode node, String index) {
      String place = named(index, node);
      ObjectNode object = mapping(node, place);
      checkFields(object, place, SERVICE_FIELDS);
      String name = requiredText(object, "name", place);
      List<String> texts = textList(required(object, "features", place), place + ".features");
      List<FeatureRef> refs = new ArrayList<>();
      for (int i = 0; i < texts.size(); i++) {
        String text = texts.get(i);
        refs.add(build(place + ".features[" + i + "]", () -> FeatureRef.parse(text)));
      }
      Map<String, String> tags = tags(object.get("tags"), place + ".tags");
      String owner = optionalText(object, "owner", place);
      String description = optionalText(object, "description", place);
      return build(place, () -> new FeatureService(name, refs, description, tags, owner));
    }

    private Model model(JsonNode node, String index) {
      String place = named(index, node);
      ObjectNode object = mapping(node, place);
      checkFields(object, place, MODEL_FIELDS);
      String name = requiredText(object, "name", place);
      int version = integer(required(object, "version", place), place + ".version");
      String artifact = requiredText(object, "artifact", place);
      String sha256 = requiredText(object, "sha256", place);
      String service = requiredText(object, "feature_service", place);
      String output = requiredText(object, "score_output", place);
      List<JsonNode> inputNodes = list(required(object, "inputs", place), place + ".inputs");
      List<ModelInput> inputs = new ArrayList<>();
      for (int i = 0; i < inputNodes.size(); i++) {
        String inputPlace = place + ".inputs[" + i + "]";
        ObjectNode input = mapping(inputNodes.get(i), inputPlace);
        checkFields(input, inputPlace, INPUT_FIELDS);
        String feature = requiredText(input, "feature", inputPlace);
        String tensor = requiredText(input, "tensor", inputPlace);
        ValueType type = type(required(input, "type", inputPlace), inputPlace + ".type");
        double fallback = input.get("default") == null ? 0 : number(input.get("default"), inputPlace + ".default");
        inputs.add(build(inputPlace, () -> new ModelInput(FeatureRef.parse(feature), tensor, type, fallback)));
      }
      String description = optionalText(object, "description", place);
      return build(place, () -> new Model(name, version, artifact, sha256, service, inputs, output, description));
    }

    private Experiment experiment(JsonNode node, String index) {
      String place = named(index, node);
      ObjectNode object = mapping(node, place);
      checkFields(object, place, EXPERIMENT_FIELDS);
      String name = requiredText(object, "name", place);
      String unitKey = requiredText(object, "unit_key", place);
      String salt = optionalText(object, "salt", place);
      List<JsonNode> variantNodes = list(required(object, "variants", place), place + ".variants");
      List<Experiment.Variant> variants = new ArrayList<>();
      for (int i = 0; i < variantNodes.size(); i++) {
        String variantPlace = named(place + ".variants[" + i + "]", variantNodes.get(i));
        ObjectNode variant = mapping(variantNodes.get(i), variantPlace);
        checkFields(variant, variantPlace, VARIANT_FIELDS);
        String variantName = requiredText(variant, "name", variantPlace);
        int weight = integer(required(variant, "weight", variantPlace), variantPlace + ".weight");
        String model = requiredText(variant, "model", variantPlace);
        variants.add(build(variantPlace,
            () -> new Experiment.Variant(variantName, weight, ModelVersion.parse(model))));
      }
      List<String> shadowTexts = object.get("shadows") == null ? List.of()
          : textList(object.get("shadows"), place + ".shadows");
      List<ModelVersion> shadows = new ArrayList<>();
      for (int i = 0; i < shadowTexts.size(); i++) {
        String text = shadowTexts.get(i);
        shadows.add(build(place + ".shadows[" + i + "]", () -> ModelVersion.parse(text)));
      }
      String description = optionalText(object, "description", place);
      return build(place, () -> new Experiment(name, unitKey, salt, variants, shadows, description));
    }

    private int integer(JsonNode node, String place) {
      if (node == null || !node.isInt()) {
        throw fail(place, "expected a whole number but got " + (node == null ? "nothing" : describe(node)));
      }
      return node.intValue();
    }

    private double number(JsonNode node, String place) {
      if (!node.isNumber()) {
        throw fail(place, "expected a number but got " + describe(node));
      }
      return node.doubleValue();
    }

    private ValueType type(JsonNode node, String place) {
      String text = text(node, place);
      try {
        return ValueType.parse(text);
      } catch (InvalidRequestException e) {
        throw fail(place, "unknown value type '" + text + "' (expected " + TYPE_CHOICES + ")");
      }
    }

    private Duration duration(JsonNode node, String place) {
      if (node.isNumber()) {
        if (node.isIntegralNumber() && node.asLong() == 0) {
          return Duration.ZERO;
        }
        throw fail(place, "duration " + node.asText() + " has no unit (write 0, or for example "
            + node.asText() + "s, 15m, 2h, 1d)");
      }
      String text = text(node, place).trim();
      String problem = "cannot parse duration '" + text
          + "' (expected 0, a whole number with unit s, m, h or d such as 30s, 15m, 2h, 7d, or ISO-8601 such as PT1H)";
      try {
        Matcher matcher = SHORT_DURATION.matcher(text);
        if (matcher.matches()) {
          long amount = Long.parseLong(matcher.group(1));
          return switch (matcher.group(2)) {
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
          };
        }
        if (text.equals("0")) {
          return Duration.ZERO;
        }
        if (text.startsWith("P") || text.startsWith("p")) {
          Duration parsed = Duration.parse(text.toUpperCase(Locale.ROOT));
          if (parsed.isNegative()) {
            throw fail(place, "duration '" + text + "' is negative (0 means no limit)");
          }
          return parsed;
        }
      } catch (DateTimeParseException | ArithmeticException e) {
        throw fail(place, problem);
      }
      throw fail(place, problem);
    }

    private Map<String, String> tags(JsonNode node, String place) {
      Map<String, String> tags = new LinkedHashMap<>();
      if (node == null || node.isNull()) {
        return tags;
      }
      ObjectNode object = mapping(node, place);
      for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> entry = it.next();
        tags.put(entry.getKey(), text(entry.getValue(), place + "." + entry.getKey()));
      }
      return tags;
    }

    private List<String> textList(JsonNode node, String place) {
      List<JsonNode> items = list(node, place);
      List<String> texts = new ArrayList<>(items.size());
      for (int i = 0; i < items.size(); i++) {
        texts.add(text(items.get(i), place + "[" + i + "]"));
      }
      return texts;
    }

    private List<JsonNode> list(JsonNode node, String place) {
      List<JsonNode> items = new ArrayList<>();
      if (node == null || node.isNull()) {
        return items;
      }
      if (!node.isArray()) {
        throw fail(place, "expected a list but got " + describe(node));
      }
      node.forEach(items::add);
      return items;
    }

    private ObjectNode mapping(JsonNode node, String place) {
      if (!(node instanceof ObjectNode object)) {
        throw fail(place, "expected a mapping of keys to values but got " + describe(node));
      }
      return object;
    }

    private void checkFields(ObjectNode object, String place, List<String> allowed) {
      for (Iterator<String> it = object.fieldNames(); it.hasNext(); ) {
        String field = it.next();
        if (!allowed.contains(field)) {
          throw fail(place, "unknown field '" + field + "' (expected " + String.join(", ", allowed) + ")");
        }
      }
    }

    private JsonNode required(ObjectNode object, String field, String place) {
      JsonNode node = object.get(field);
      if (node == null || node.isNull()) {
        throw fail(place, "missing field '" + field + "'");
      }
      return node;
    }

    private String requiredText(ObjectNode object, String field, String place) {
      return text(required(object, field, place), place + "." + field);
    }

    private String optionalText(ObjectNode object, String field, String place) {
      JsonNode node = object.get(field);
      return node == null || node.isNull() ? "" : text(node, place + "." + field);
    }

    private String text(JsonNode node, String place) {
      if (node == null || node.isNull()) {
        throw fail(place, "expected a value but got nothing");
      }
      if (!node.isValueNode()) {
        throw fail(place, "expected a single value but got " + describe(node));
      }
      return node.asText();
    }

    private <T> T build(String place, Supplier<T> constructor) {
      try {
        return constructor.get();
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(action + ": " + place + ": " + lowerFirst(e.getMessage()), e);
      }
    }

    private InvalidRequestException fail(String place, String reason) {
      return new InvalidRequestException(action + ": " + place + ": " + reason);
    }

    private static String named(String index, JsonNode node) {
      JsonNode name = node == null ? null : node.get("name");
      return name != null && name.isTextual() ? index + " (" + name.asText() + ")" : index;
    }

    private static String describe(JsonNode node) {
      if (node.isObject()) {
        return "a mapping";
      }
      if (node.isArray()) {
        return "a list";
      }
      return "'" + node.asText() + "'";
    }

    private static String lowerFirst(String message) {
      return message.isEmpty() ? message : Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }
  }
}
