package dev.featurestore.api.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FeatureRowTest {
  private static FeatureRow row(long event, long created) {
    return new FeatureRow(EntityKey.of(1L), event, created, Map.of());
  }

  @Test
  void supersedes_newerEventWins_olderNeverReplaces() {
    assertThat(row(10, 0).supersedes(row(9, 100))).isTrue();
    assertThat(row(9, 100).supersedes(row(10, 0))).isFalse();
  }

  @Test
  void supersedes_equalEvent_largerCreatedWins_fullTieLaterWriteWins() {
    assertThat(row(10, 6).supersedes(row(10, 5))).isTrue();
    assertThat(row(10, 5).supersedes(row(10, 6))).isFalse();
    assertThat(row(10, 5).supersedes(row(10, 5))).isTrue();
  }

  @Test
  void values_nullsAreAbsent() {
    Map<String, Object> values = new HashMap<>();
    values.put("a", null);
    values.put("b", 2L);
    FeatureRow row = new FeatureRow(EntityKey.of(1L), 1, 1, values);
    assertThat(row.values()).containsOnlyKeys("b");
    assertThat(row.value("a")).isNull();
  }
}
