package dev.featurestore.api.proto;

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
import java.time.Duration;
import java.util.List;

/**
 * Converts definitions between the domain records and their wire messages. Converting from the wire validates:
 * a malformed message fails with {@link InvalidRequestException} naming the object and field.
 */
public final class ProtoDefinitions {
  private ProtoDefinitions() {}

  public static dev.featurestore.proto.v1.Definitions toProto(Definitions definitions) {
    dev.featurestore.proto.v1.Definitions.Builder b = dev.featurestore.proto.v1.Definitions.newBuilder();
    definitions.entities().forEach(e -> b.addEntities(toProto(e)));
    definitions.featureViews().forEach(v -> b.addFeatureViews(toProto(v)));
    definitions.featureServices().forEach(s -> b.addFeatureServices(toProto(s)));
    return b.build();
  }

  public static Definitions fromProto(dev.featurestore.proto.v1.Definitions proto) {
    return new Definitions(
        proto.getEntitiesList().stream().map(ProtoDefinitions::fromProto).toList(),
        proto.getFeatureViewsList().stream().map(ProtoDefinitions::fromProto).toList(),
        proto.getFeatureServicesList().stream().map(ProtoDefinitions::fromProto).toList());
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
    return dev.featurestore.proto.v1.ValueType.valueOf(type.name());
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
