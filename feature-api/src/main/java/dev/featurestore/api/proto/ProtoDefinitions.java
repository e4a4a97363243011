package dev.featurestore.api.proto;

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
import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.util.List;

/**
 * Converts definitions between the domain records and their wire messages. Converting from the wire validates:
 * a malformed message fails with {@link InvalidRequestException} naming the object and field.
 */
public final class ProtoDefinitions {
  /**
   * The proto type of each {@link ValueType}, by ordinal: {@code Enum.valueOf} looks the name up in a hash map on
   * every call, and the online server asks twice per column of every response.
   */
  private static final dev.featurestore.proto.v1.ValueType[] PROTO_TYPES = protoTypes();

  private ProtoDefinitions() {}

  public static dev.featurestore.proto.v1.Definitions toProto(Definitions definitions) {
    dev.featurestore.proto.v1.Definitions.Builder b = dev.featurestore.proto.v1.Definitions.newBuilder();
    definitions.entities().forEach(e -> b.addEntities(toProto(e)));
    definitions.featureViews().forEach(v -> b.addFeatureViews(toProto(v)));
    definitions.featureServices().forEach(s -> b.addFeatureServices(toProto(s)));
    definitions.models().forEach(m -> b.addModels(toProto(m)));
    definitions.experiments().forEach(e -> b.addExperiments(toProto(e)));
    return b.build();
  }

  public static Definitions fromProto(dev.featurestore.proto.v1.Definitions proto) {
    return new Definitions(
        proto.getEntitiesList().stream().map(ProtoDefinitions::fromProto).toList(),
        proto.getFeatureViewsList().stream().map(ProtoDefinitions::fromProto).toList(),
        proto.getFeatureServicesList().stream().map(ProtoDefinitions::fromProto).toList(),
        proto.getModelsList().stream().map(ProtoDefinitions::fromProto).toList(),
        proto.getExperimentsList().stream().map(ProtoDefinitions::fromProto).toList());
  }

  public static dev.featurestore.proto.v1.Model toProto(Model model) {
    dev.featurestore.proto.v1.Model.Builder b = dev.featurestore.proto.v1.Model.newBuilder()
        .setName(model.name())
        .setVersion(model.version())
        .setArtifact(model.artifact())
        .setSha256(model.sha256())
        .setFeatureService(model.featureService())
        .setScoreOutput(model.scoreOutput())
        .setDescription(model.description());
    for (ModelInput input : model.inputs()) {
      b.addInputs(dev.featurestore.proto.v1.ModelInput.newBuilder()
          .setFeature(input.feature().toString())
          .setTensor(input.tensor())
          .setType(toProto(input.type()))
          .setDefaultValue(input.defaultValue()));
    }
    return b.build();
  }

  public static Model fromProto(dev.featurestore.proto.v1.Model proto) {
    String where = "model '" + proto.getName() + "' version " + proto.getVersion();
    List<ModelInput> inputs = proto.getInputsList().stream()
        .map(i -> new ModelInput(FeatureRef.parse(i.getFeature()), i.getTensor(),
            fromProto(i.getType(), "input '" + i.getFeature() + "' of " + where), i.getDefaultValue()))
        .toList();
    return new Model(proto.getName(), proto.getVersion(), proto.getArtifact(), proto.getSha256(),
        proto.getFeatureService(), inputs, proto.getScoreOutput(), proto.getDescription());
  }

  public static dev.featurestore.proto.v1.ModelRef toProto(ModelVersion id) {
    return dev.featurestore.proto.v1.ModelRef.newBuilder().setName(id.name()).setVersion(id.version()).build();
  }

  public static ModelVersion fromProto(dev.featurestore.proto.v1.ModelRef proto) {
    return new ModelVersion(proto.getName(), proto.getVersion());
  }

  public static dev.featurestore.proto.v1.Experiment toProto(Experiment experiment) {
    dev.featurestore.proto.v1.Experiment.Builder b = dev.featurestore.proto.v1.Experiment.newBuilder()
        .setName(experiment.name())
        .setUnitKey(experiment.unitKey())
        .setSalt(experiment.salt())
        .setDescription(experiment.description());
    for (Experiment.Variant variant : experiment.variants()) {
      b.addVariants(dev.featurestore.proto.v1.ExperimentVariant.newBuilder()
          .setName(variant.name())
          .setWeight(variant.weight())
          .setModel(toProto(variant.model())));
    }
    experiment.shadows().forEach(s -> b.addShadows(toProto(s)));
    return b.build();
  }

  public static Experiment fromProto(dev.featurestore.proto.v1.Experiment proto) {
    return new Experiment(proto.getName(), proto.getUnitKey(), proto.getSalt(),
        proto.getVariantsList().stream()
            .map(v -> new Experiment.Variant(v.getName(), v.getWeight(), fromProto(v.getModel())))
            .toList(),
        proto.getShadowsList().stream().map(ProtoDefinitions::fromProto).toList(),
        proto.getDescription());
  }

  public static dev.featurestore.proto.v1.Entity toProto(Entity entity) {
    dev.featurestore.proto.v1.Entity.Builder b =
        dev.featurestore.proto.v1.Entity.newBuilder().setName(entity.name()).setDescription(entity.description());
    for (JoinKey key : entity.joinKeys()) {
      b.addJoinKeys(dev.featurestore.proto.v1.JoinKey.newBuilder().setName(key.name()).setType(toProto(key.type())));
    }
    return b.build();
  }

  public static Entity fromProto(dev.featurestore.proto.v1.Entity proto) {
    List<JoinKey> keys = proto.getJoinKeysList().stream()
        .map(k -> new JoinKey(k.getName(), fromProto(k.getType(), "join key '" + k.getName() + "' of entity '"
            + proto.getName() + "'")))
        .toList();
    return new Entity(proto.getName(), keys, proto.getDescription());
  }

  public static dev.featurestore.proto.v1.FeatureView toProto(FeatureView view) {
    dev.featurestore.proto.v1.FeatureView.Builder b = dev.featurestore.proto.v1.FeatureView.newBuilder()
        .setName(view.name())
        .addAllEntities(view.entities())
        .setTtlSeconds(view.ttl().getSeconds())
        .setSource(dev.featurestore.proto.v1.Source.newBuilder()
            .setKind(dev.featurestore.proto.v1.Source.Kind.valueOf(view.source().kind().name()))
            .setLocation(view.source().location()))
        .putAllTags(view.tags())
        .setOwner(view.owner())
        .setDescription(view.description());
    for (Feature feature : view.features()) {
      b.addFeatures(dev.featurestore.proto.v1.Feature.newBuilder()
          .setName(feature.name())
          .setType(toProto(feature.type()))
          .setDescription(feature.description()));
    }
    return b.build();
  }

  public static FeatureView fromProto(dev.featurestore.proto.v1.FeatureView proto) {
    String where = "feature view '" + proto.getName() + "'";
    List<Feature> features = proto.getFeaturesList().stream()
        .map(f -> new Feature(f.getName(), fromProto(f.getType(), "feature '" + f.getName() + "' of " + where),
            f.getDescription()))
        .toList();
    if (proto.getTtlSeconds() < 0) {
      throw new InvalidRequestException(
          "Cannot read " + where + ": ttl_seconds " + proto.getTtlSeconds() + " is negative (0 means no limit)");
    }
    Source source = switch (proto.getSource().getKind()) {
      case KIND_UNSPECIFIED, BATCH_FILE -> Source.batchFile(proto.getSource().getLocation());
      case ICEBERG_TABLE -> Source.icebergTable(proto.getSource().getLocation());
      case PUSH -> Source.push();
      case UNRECOGNIZED -> throw new InvalidRequestException("Cannot read " + where + ": unknown source kind");
    };
    return new FeatureView(proto.getName(), proto.getEntitiesList(), features,
        Duration.ofSeconds(proto.getTtlSeconds()), source, proto.getTagsMap(), proto.getOwner(),
        proto.getDescription());
  }

  public static dev.featurestore.proto.v1.FeatureService toProto(FeatureService service) {
    return dev.featurestore.proto.v1.FeatureService.newBuilder()
        .setName(service.name())
        .addAllFeatures(service.features().stream().map(FeatureRef::toString).toList())
        .setDescription(service.description())
        .putAllTags(service.tags())
        .setOwner(service.owner())
        .build();
  }

  public static FeatureService fromProto(dev.featurestore.proto.v1.FeatureService proto) {
    return new FeatureService(proto.getName(),
        proto.getFeaturesList().stream().map(FeatureRef::parse).toList(),
        proto.getDescription(), proto.getTagsMap(), proto.getOwner());
  }

  public static dev.featurestore.proto.v1.ValueType toProto(ValueType type) {
    return PROTO_TYPES[type.ordinal()];
  }

  private static dev.featurestore.proto.v1.ValueType[] protoTypes() {
    ValueType[] types = ValueType.values();
    dev.featurestore.proto.v1.ValueType[] proto = new dev.featurestore.proto.v1.ValueType[types.length];
    for (ValueType type : types) {
      proto[type.ordinal()] = dev.featurestore.proto.v1.ValueType.valueOf(type.name());
    }
    return proto;
  }

  /** @param where what the type belongs to, for the message when it is unset or unknown */
  public static ValueType fromProto(dev.featurestore.proto.v1.ValueType type, String where) {
    if (type == dev.featurestore.proto.v1.ValueType.VALUE_TYPE_UNSPECIFIED
        || type == dev.featurestore.proto.v1.ValueType.UNRECOGNIZED) {
      throw new InvalidRequestException("Cannot read " + where + ": its value type is not set");
    }
    return ValueType.valueOf(type.name());
  }
}
