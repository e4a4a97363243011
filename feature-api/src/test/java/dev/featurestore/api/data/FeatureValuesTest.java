package dev.featurestore.api.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.FeatureView;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureValuesTest {
  private static final FeatureView VIEW = FeatureView.builder("stats").entity("user")
      .feature("a", ValueType.INT64).feature("b", ValueType.STRING).feature("c", ValueType.DOUBLE).build();

  @Test
  void of_positionalValues_readAsMapWithoutNulls() {
    FeatureValues values = FeatureValues.of(VIEW, new Object[] {1L, null, 2.5});

    assertThat(values).hasSize(2).containsEntry("a", 1L).containsEntry("c", 2.5).doesNotContainKey("b");
    assertThat(values.get("unknown")).isNull();
    assertThat(values.at(2)).isEqualTo(2.5);
    assertThat(values.keySet()).containsExactly("a", "c");
    assertThat(values).isEqualTo(new HashMap<>(Map.of("a", 1L, "c", 2.5)));
    assertThat(values.hashCode()).isEqualTo(Map.of("a", 1L, "c", 2.5).hashCode());
  }

  @Test
  void of_copiesTheArray() {
    Object[] array = {1L, "x", 3.0};
    FeatureValues values = FeatureValues.of(VIEW, array);
    array[0] = 99L;
    assertThat(values.get("a")).isEqualTo(1L);
  }

  @Test
  void of_wrongLength_namesViewAndCounts() {
    assertThatThrownBy(() -> FeatureValues.of(VIEW, new Object[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot hold values of view 'stats': 2 values for 3 features");
  }

  @Test
  void featureRow_keepsFeatureValuesWithoutCopying() {
    FeatureValues values = FeatureValues.of(VIEW, new Object[] {1L, null, null});
    assertThat(new FeatureRow(EntityKey.of(1L), 1, 1, values).values()).isSameAs(values);
  }
}
