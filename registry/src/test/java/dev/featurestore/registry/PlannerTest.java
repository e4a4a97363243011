package dev.featurestore.registry;

import static dev.featurestore.registry.Fixtures.base;
import static dev.featurestore.registry.Fixtures.fraud;
import static dev.featurestore.registry.Fixtures.merchant;
import static dev.featurestore.registry.Fixtures.txn;
import static dev.featurestore.registry.Fixtures.user;
import static dev.featurestore.registry.Fixtures.withEntity;
import static dev.featurestore.registry.Fixtures.withView;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import dev.featurestore.registry.ObjectChange.Action;
import dev.featurestore.registry.ObjectChange.FieldChange;
import dev.featurestore.registry.ObjectChange.Kind;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlannerTest {

  private static Plan plan(Definitions before, Definitions after) {
    return Planner.plan(new RegistrySnapshot(3, before, Instant.EPOCH), after);
  }

  @Test
  void plan_emptyRegistry_addsEverythingEntitiesThenViewsThenServicesByName() {
    Plan plan = plan(Definitions.EMPTY, base());

    assertThat(plan.baseVersion()).isEqualTo(3);
    assertThat(plan.changes()).containsExactly(
        new ObjectChange(Action.ADDED, Kind.ENTITY, "merchant", List.of()),
        new ObjectChange(Action.ADDED, Kind.ENTITY, "user", List.of()),
        new ObjectChange(Action.ADDED, Kind.FEATURE_VIEW, "txn", List.of()),
        new ObjectChange(Action.ADDED, Kind.FEATURE_SERVICE, "fraud", List.of()));
    assertThat(plan.violations()).isEmpty();
  }

  @Test
  void plan_everythingLeftOut_removesEverythingAllowed() {
    Plan plan = plan(base(), Definitions.EMPTY);

    assertThat(plan.changes()).containsExactly(
        new ObjectChange(Action.REMOVED, Kind.ENTITY, "merchant", List.of()),
        new ObjectChange(Action.REMOVED, Kind.ENTITY, "user", List.of()),
        new ObjectChange(Action.REMOVED, Kind.FEATURE_VIEW, "txn", List.of()),
        new ObjectChange(Action.REMOVED, Kind.FEATURE_SERVICE, "fraud", List.of()));
    assertThat(plan.isAllowed()).isTrue();
  }

  @Test
  void plan_sameDefinitionsInAnotherObjectOrder_isEmpty() {
    Definitions reordered = new Definitions(List.of(merchant(), user()), List.of(txn()), List.of(fraud()));

    Plan plan = plan(base(), reordered);

    assertThat(plan.isEmpty()).isTrue();
    assertThat(plan.isAllowed()).isTrue();
  }

  @Test
  void plan_viewFieldsChanged_listsEachDottedPathWithOldAndNewValue() {
    FeatureView changed = FeatureView.builder("txn")
        .entity("user")
        .feature("amount", ValueType.INT64)
        .feature(new Feature("merchant_name", ValueType.STRING, ""))
        .ttl(Duration.ofHours(2))
        .source(Source.push())
        .tag("team", "payments")
        .tag("tier", "gold")
        .owner("payments@example.com")
        .description("all card transactions")
        .build();
    Definitions after = new Definitions(base().entities(), List.of(changed), base().featureServices());

    Plan plan = plan(base(), after);

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.FEATURE_VIEW, "txn", List.of(
        new FieldChange("features.category", "STRING", ""),
        new FieldChange("features.merchant_name", "", "STRING"),
        new FieldChange("ttl", "PT24H", "PT2H"),
        new FieldChange("source", "ICEBERG_TABLE db.txn", "PUSH"),
        new FieldChange("tags.team", "risk", "payments"),
        new FieldChange("tags.tier", "", "gold"),
        new FieldChange("owner", "risk@example.com", "payments@example.com"),
        new FieldChange("description", "card transactions", "all card transactions"))));
    assertThat(plan.violations()).isEmpty();
  }

  @Test
  void plan_featureTypeChanged_reportsFieldAndRefusesNamingViewAndFeature() {
    Plan plan = plan(base(), withView(base(), Fixtures.txnWithAmountType(ValueType.STRING)));

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.FEATURE_VIEW, "txn",
        List.of(new FieldChange("features.amount.type", "INT64", "STRING"))));
    assertThat(plan.violations()).containsExactly(
        "feature view 'txn': feature 'amount' changes type from INT64 to STRING; "
            + "declare a new feature or a new view instead");
  }

  @Test
  void plan_featureReordered_reportsOrderAndFeatureDescription() {
    FeatureView changed = FeatureView.builder("txn").entity("user")
        .feature("category", ValueType.STRING).feature(new Feature("amount", ValueType.INT64, "in cents"))
        .ttl(Duration.ofDays(1)).source(Source.icebergTable("db.txn")).tag("team", "risk")
        .owner("risk@example.com").description("card transactions").build();

    Plan plan = plan(base(), withView(base(), changed));

    assertThat(plan.changes()).singleElement().extracting(ObjectChange::fields).asInstanceOf(
        org.assertj.core.api.InstanceOfAssertFactories.LIST).containsExactly(
        new FieldChange("features.amount.description", "", "in cents"),
        new FieldChange("features", "amount, category", "category, amount"));
    assertThat(plan.isAllowed()).isTrue();
  }

  @Test
  void plan_viewEntitiesChanged_refusedNamingViewAndEntities() {
    FeatureView changed = txn().toBuilder().entity("merchant").build();

    Plan plan = plan(base(), withView(base(), changed));

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.FEATURE_VIEW, "txn",
        List.of(new FieldChange("entities", "user", "user, merchant"))));
    assertThat(plan.violations()).containsExactly(
        "feature view 'txn': entities change from [user] to [user, merchant], which changes its join keys; "
            + "declare a new view instead");
  }

  @Test
  void plan_usedEntityJoinKeyTypeChanged_refusedNamingEntityAndViews() {
    Entity changed = Entity.of("user", JoinKey.of("user_id", ValueType.STRING));

    Plan plan = plan(base(), withEntity(base(), changed));

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.ENTITY, "user",
        List.of(new FieldChange("join_keys.user_id.type", "INT64", "STRING"))));
    assertThat(plan.violations()).containsExactly(
        "entity 'user': join keys change from [user_id: INT64] to [user_id: STRING] while feature view 'txn' "
            + "uses it; declare a new entity instead");
  }

  @Test
  void plan_usedEntityJoinKeyAddedAndViewRemoved_stillRefusedNamingOldAndNewUsers() {
    Entity changed = Entity.of("user", JoinKey.of("user_id", ValueType.INT64), JoinKey.of("region", ValueType.STRING));
    FeatureView clicks = FeatureView.builder("clicks").entity("user").feature("count", ValueType.INT64).build();
    Definitions after = new Definitions(List.of(changed, merchant()), List.of(clicks), List.of());

    Plan plan = plan(base(), after);

    assertThat(plan.changes()).contains(new ObjectChange(Action.CHANGED, Kind.ENTITY, "user",
        List.of(new FieldChange("join_keys.region", "", "STRING"))));
    assertThat(plan.violations()).containsExactly(
        "entity 'user': join keys change from [user_id: INT64] to [user_id: INT64, region: STRING] while "
            + "feature views 'clicks', 'txn' use it; declare a new entity instead");
  }

  @Test
  void plan_unusedEntityJoinKeysChanged_allowedWithEachKeyField() {
    Entity changed = Entity.of("merchant", JoinKey.of("shop_id", ValueType.INT64),
        JoinKey.of("merchant_id", ValueType.INT64)).withDescription("a shop");

    Plan plan = plan(base(), withEntity(base(), changed));

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.ENTITY, "merchant", List.of(
        new FieldChange("join_keys.merchant_id.type", "STRING", "INT64"),
        new FieldChange("join_keys.shop_id", "", "INT64"),
        new FieldChange("description", "", "a shop"))));
    assertThat(plan.isAllowed()).isTrue();
  }

  @Test
  void plan_usedEntityJoinKeysReordered_reportsOrderAndRefuses() {
    Definitions before = withEntity(base(),
        Entity.of("user", JoinKey.of("user_id", ValueType.INT64), JoinKey.of("region", ValueType.STRING)));
    Definitions after = withEntity(base(),
        Entity.of("user", JoinKey.of("region", ValueType.STRING), JoinKey.of("user_id", ValueType.INT64)));

    Plan plan = plan(before, after);

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.ENTITY, "user",
        List.of(new FieldChange("join_keys", "user_id, region", "region, user_id"))));
    assertThat(plan.violations()).singleElement().asString()
        .startsWith("entity 'user': join keys change from [user_id: INT64, region: STRING] to "
            + "[region: STRING, user_id: INT64]");
  }

  @Test
  void plan_serviceChanged_reportsFeaturesTagsOwnerDescription() {
    FeatureService changed = new FeatureService("fraud",
        List.of(FeatureRef.of("txn", "amount"), FeatureRef.allOf("txn")), "fraud model", Map.of("model", "v2"),
        "ml@example.com");
    Definitions after = new Definitions(base().entities(), base().featureViews(), List.of(changed));

    Plan plan = plan(base(), after);

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.FEATURE_SERVICE, "fraud",
        List.of(
            new FieldChange("features", "txn:amount", "txn:amount, txn:*"),
            new FieldChange("tags.model", "", "v2"),
            new FieldChange("owner", "", "ml@example.com"),
            new FieldChange("description", "", "fraud model"))));
    assertThat(plan.isAllowed()).isTrue();
  }

  @Test
  void plan_removedViewAndItsEntity_allowed() {
    Definitions after = new Definitions(List.of(merchant()), List.of(), List.of());

    Plan plan = plan(base(), after);

    assertThat(plan.changes()).extracting(ObjectChange::action, ObjectChange::name).containsExactly(
        org.assertj.core.groups.Tuple.tuple(Action.REMOVED, "user"),
        org.assertj.core.groups.Tuple.tuple(Action.REMOVED, "txn"),
        org.assertj.core.groups.Tuple.tuple(Action.REMOVED, "fraud"));
    assertThat(plan.isAllowed()).isTrue();
  }
}
