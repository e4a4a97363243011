package dev.featurestore.registry;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Small definitions the registry tests change one field at a time. */
public final class Fixtures {
  private Fixtures() {}

  public static Entity user() {
    return Entity.of("user", JoinKey.of("user_id", ValueType.INT64));
  }

  public static Entity merchant() {
    return Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING));
  }

  public static FeatureView txn() {
    return txnWithAmountType(ValueType.INT64);
  }

  /** {@link #txn()} with another type for its feature {@code amount}. */
  public static FeatureView txnWithAmountType(ValueType amountType) {
    return FeatureView.builder("txn")
        .entity("user")
        .feature("amount", amountType)
        .feature("category", ValueType.STRING)
        .ttl(Duration.ofDays(1))
        .source(Source.icebergTable("db.txn"))
        .tag("team", "risk")
        .owner("risk@example.com")
        .description("card transactions")
        .build();
  }

  public static FeatureService fraud() {
    return FeatureService.of("fraud", FeatureRef.of("txn", "amount"));
  }

  /** user, merchant (unused), view txn on user, service fraud. */
  public static Definitions base() {
    return new Definitions(List.of(user(), merchant()), List.of(txn()), List.of(fraud()));
  }

  public static Definitions withView(Definitions definitions, FeatureView view) {
    List<FeatureView> views = new ArrayList<>(definitions.featureViews());
    views.removeIf(v -> v.name().equals(view.name()));
    views.add(view);
    return new Definitions(definitions.entities(), views, definitions.featureServices());
  }

  public static Definitions withEntity(Definitions definitions, Entity entity) {
    List<Entity> entities = new ArrayList<>(definitions.entities());
    entities.removeIf(e -> e.name().equals(entity.name()));
    entities.add(entity);
    return new Definitions(entities, definitions.featureViews(), definitions.featureServices());
  }
}
