package dev.featurestore.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FeatureRepoTest {
  private static final Entity USER = Entity.of("user", JoinKey.of("user_id", ValueType.INT64));
  private static final FeatureView USER_STATS =
      FeatureView.builder("user_stats").entity("user").feature("txn_count", ValueType.INT64).build();

  @Test
  void build_entitiesViewsAndServices_keepsDeclarationOrder() {
    Entity merchant = Entity.of("merchant", JoinKey.of("merchant_id", ValueType.STRING));
    FeatureService service = FeatureService.of("fraud", FeatureRef.allOf("user_stats"));

    Definitions definitions = FeatureRepo.builder()
        .entity(USER)
        .entity(merchant)
        .view(FeatureView.builder("merchant_stats").entity("merchant").feature("avg", ValueType.DOUBLE))
        .view(USER_STATS)
        .service(service)
        .build();

    assertThat(definitions.entities()).containsExactly(USER, merchant);
    assertThat(definitions.featureViews()).extracting(FeatureView::name)
        .containsExactly("merchant_stats", "user_stats");
    assertThat(definitions.featureServices()).containsExactly(service);
  }

  @Test
  void build_viewBeforeItsEntity_isValidBecauseValidationRunsAtTheEnd() {
    Definitions definitions = FeatureRepo.builder().view(USER_STATS).entity(USER).build();

    assertThat(definitions.requireView("user_stats")).isEqualTo(USER_STATS);
  }

  @Test
  void builder_fromDefinitions_extendsThem() {
    Definitions base = FeatureRepo.builder().entities(USER).views(USER_STATS).build();

    Definitions extended = FeatureRepo.builder(base)
        .services(FeatureService.of("fraud", FeatureRef.of("user_stats", "txn_count")))
        .build();

    assertThat(extended.entities()).isEqualTo(base.entities());
    assertThat(extended.featureServices()).extracting(FeatureService::name).containsExactly("fraud");
  }

  @Test
  void build_undefinedEntity_isRefusedNamingIt() {
    assertThatThrownBy(() -> FeatureRepo.builder().view(USER_STATS).build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define feature view 'user_stats': entity 'user' is not defined");
  }

  @Test
  void build_duplicateView_isRefusedNamingIt() {
    assertThatThrownBy(() -> FeatureRepo.builder().entity(USER).view(USER_STATS).view(USER_STATS).build())
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define feature view 'user_stats' twice");
  }

  @Test
  void build_serviceNamingAnUnknownFeature_isRefusedNamingTheReference() {
    FeatureRepo.Builder repo = FeatureRepo.builder().entity(USER).view(USER_STATS)
        .service(new FeatureService("fraud", List.of(FeatureRef.of("user_stats", "nope")), "", null, ""));

    assertThatThrownBy(repo::build)
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define feature service 'fraud': reference 'user_stats:nope' names no feature of view"
            + " 'user_stats'");
  }

  @Test
  void build_calledTwice_givesIndependentEqualResults() {
    FeatureRepo.Builder repo = FeatureRepo.builder().entity(USER).view(USER_STATS);
    Definitions first = repo.build();

    Definitions second = repo.service(FeatureService.of("fraud", FeatureRef.allOf("user_stats"))).build();

    assertThat(first.featureServices()).isEmpty();
    assertThat(second.featureServices()).hasSize(1);
  }
}
