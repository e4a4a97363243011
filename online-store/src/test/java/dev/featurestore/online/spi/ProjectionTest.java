package dev.featurestore.online.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.FeatureView;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProjectionTest {
  private static final FeatureView VIEW = FeatureView.builder("v").entity("user")
      .feature("a", ValueType.INT64).feature("b", ValueType.STRING).feature("c", ValueType.DOUBLE).build();

  @Test
  void of_someFeatures_includesTheirPositionsOnly() {
    Projection projection = Projection.of(VIEW, List.of("c", "a"));

    assertThat(projection.includes(0)).isTrue();
    assertThat(projection.includes(1)).isFalse();
    assertThat(projection.includes(2)).isTrue();
    assertThat(projection.isAll()).isFalse();
    assertThat(projection).hasToString("v:[a, c]");
    assertThat(projection.includedCount()).isEqualTo(2);
    assertThat(List.of(projection.includedPosition(0), projection.includedPosition(1))).containsExactly(0, 2);
  }

  @Test
  void all_includesEveryPositionInOrder() {
    Projection projection = Projection.all(VIEW);

    assertThat(projection.includedCount()).isEqualTo(3);
    assertThat(List.of(projection.includedPosition(0), projection.includedPosition(1),
        projection.includedPosition(2))).containsExactly(0, 1, 2);
  }

  @Test
  void of_everyFeature_equalsAll() {
    Projection projection = Projection.of(VIEW, List.of("b", "c", "a", "b"));

    assertThat(projection.isAll()).isTrue();
    assertThat(projection).isEqualTo(Projection.all(VIEW)).hasToString("v:*");
  }

  @Test
  void of_unknownFeature_failsNamingItAndTheView() {
    assertThatThrownBy(() -> Projection.of(VIEW, List.of("a", "nope")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot project view 'v': 'nope' is not a feature of it");
  }
}
