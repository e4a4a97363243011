package dev.featurestore.api.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DefinitionsTest {
  private static final Entity USER = Entity.of("user", JoinKey.of("user_id", ValueType.INT64));
  private static final Entity MERCHANT = Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING));
  private static final FeatureView USER_STATS = FeatureView.builder("user_stats")
      .entity("user").feature("amount", ValueType.DOUBLE).feature("count", ValueType.INT64)
      .ttl(Duration.ofDays(1)).build();
  private static final FeatureView MERCHANT_STATS = FeatureView.builder("merchant_stats")
      .entity("merchant").feature("amount", ValueType.DOUBLE).build();
  private static final FeatureView PAIR = FeatureView.builder("pair")
      .entity("user").entity("merchant").feature("txns", ValueType.INT32).build();

  private static Definitions defs() {
    return new Definitions(List.of(USER, MERCHANT), List.of(USER_STATS, MERCHANT_STATS, PAIR),
        List.of(FeatureService.of("model", FeatureRef.allOf("user_stats"), FeatureRef.of("pair", "txns"))));
  }

  @Test
  void joinKeys_compoundView_inEntityOrder() {
    assertThat(defs().joinKeys(PAIR)).extracting(JoinKey::name).containsExactly("user_id", "merchant_id");
  }

  @Test
  void select_wholeViewAndSingle_expandsInDeclarationOrderWithoutDuplicates() {
    FeatureSelection selection = defs().select(
        List.of(FeatureRef.parse("user_stats:*"), FeatureRef.parse("user_stats:count"), FeatureRef.parse("pair:txns")),
        FeatureNaming.SHORT);
    assertThat(selection.outputNames()).containsExactly("amount", "count", "txns");
    assertThat(selection.views()).extracting(FeatureView::name).containsExactly("user_stats", "pair");
  }

  @Test
  void select_clashingNames_qualifiesOnlyTheClashing() {
    FeatureSelection selection = defs().select(
        List.of(FeatureRef.parse("user_stats:amount"), FeatureRef.parse("merchant_stats:amount"),
            FeatureRef.parse("user_stats:count")),
        FeatureNaming.SHORT);
    assertThat(selection.outputNames()).containsExactly("user_stats__amount", "merchant_stats__amount", "count");
  }

  @Test
  void select_fullNames_qualifiesAll() {
    assertThat(defs().selectService("model", FeatureNaming.FULL).outputNames())
        .containsExactly("user_stats__amount", "user_stats__count", "pair__txns");
  }

  @Test
  void qualifyingNamesIn_takenColumn_qualifiesIt() {
    FeatureSelection selection = defs().select(List.of(FeatureRef.parse("user_stats:*")), FeatureNaming.SHORT)
        .qualifyingNamesIn(Set.of("count", "label"));
    assertThat(selection.outputNames()).containsExactly("amount", "user_stats__count");
  }

  @Test
  void select_unknownViewOrFeatureOrService_isNotFoundNamingIt() {
    assertThatThrownBy(() -> defs().select(List.of(FeatureRef.parse("nope:x")), FeatureNaming.SHORT))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("'nope'");
    assertThatThrownBy(() -> defs().select(List.of(FeatureRef.parse("user_stats:nope")), FeatureNaming.SHORT))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("'user_stats:nope'");
    assertThatThrownBy(() -> defs().selectService("ghost", FeatureNaming.SHORT))
        .isInstanceOf(NotFoundException.class).hasMessageContaining("'ghost'");
  }

  @Test
  void constructor_undefinedEntity_namesViewAndEntity() {
    assertThatThrownBy(() -> new Definitions(List.of(), List.of(USER_STATS), List.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define feature view 'user_stats': entity 'user' is not defined");
  }

  @Test
  void constructor_serviceWithDanglingRef_namesServiceAndRef() {
    assertThatThrownBy(() -> new Definitions(List.of(USER), List.of(USER_STATS),
        List.of(FeatureService.of("svc", FeatureRef.of("user_stats", "missing")))))
        .hasMessageContaining("'svc'").hasMessageContaining("'user_stats:missing'");
  }

  @Test
  void constructor_featureNamedLikeJoinKey_isRefused() {
    FeatureView bad = FeatureView.builder("bad").entity("user").feature("user_id", ValueType.INT64).build();
    assertThatThrownBy(() -> new Definitions(List.of(USER), List.of(bad), List.of()))
        .hasMessageContaining("feature 'user_id' has the name of a join key");
  }

  @Test
  void records_badNames_areRefusedWithTheName() {
    assertThatThrownBy(() -> Entity.of("User", JoinKey.of("id", ValueType.INT64)))
        .hasMessageContaining("'User'");
    assertThatThrownBy(() -> Feature.of("event_timestamp", ValueType.INT64)).hasMessageContaining("reserved");
    assertThatThrownBy(() -> JoinKey.of("score", ValueType.DOUBLE)).hasMessageContaining("DOUBLE");
    assertThatThrownBy(() -> FeatureRef.parse("no_colon")).hasMessageContaining("'no_colon'");
  }

  @Test
  void featureView_equalComponents_areEqualWithEqualHash() {
    FeatureView copy = USER_STATS.toBuilder().build();
    assertThat(copy).isEqualTo(USER_STATS).hasSameHashCodeAs(USER_STATS).isNotSameAs(USER_STATS);
    assertThat(USER_STATS.toBuilder().ttl(Duration.ofDays(2)).build()).isNotEqualTo(USER_STATS);
  }

  @Test
  void featureView_feature_findsByNameOrEmpty() {
    assertThat(USER_STATS.feature("count")).contains(Feature.of("count", ValueType.INT64));
    assertThat(USER_STATS.feature("nope")).isEmpty();
  }
}
