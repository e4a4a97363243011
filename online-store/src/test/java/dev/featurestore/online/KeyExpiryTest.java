package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class KeyExpiryTest {
  private static final FeatureView HOURLY = view(Duration.ofHours(1));

  private static FeatureView view(Duration ttl) {
    return FeatureView.builder("v").entity("user").ttl(ttl).feature("f", ValueType.INT64).build();
  }

  @Test
  void expireAtMillis_defaultGrace_isEventPlusTwiceTtl() {
    assertThat(KeyExpiry.DEFAULT.expireAtMillis(HOURLY, 5_000_000L)).isEqualTo(5_000 + 2 * 3_600_000L);
  }

  @Test
  void expireAtMillis_configuredGrace_isEventPlusTtlPlusGrace() {
    assertThat(new KeyExpiry(Duration.ofMinutes(5)).expireAtMillis(HOURLY, 0)).isEqualTo(3_600_000L + 300_000L);
  }

  @Test
  void expireAtMillis_subMillisecondEvent_roundsUp() {
    assertThat(new KeyExpiry(Duration.ZERO).expireAtMillis(HOURLY, 1_001L)).isEqualTo(3_600_002L);
    assertThat(new KeyExpiry(Duration.ZERO).expireAtMillis(HOURLY, -1_999L)).isEqualTo(3_599_999L);
  }

  @Test
  void expireAtMillis_viewWithoutTtl_never() {
    assertThat(KeyExpiry.DEFAULT.expireAtMillis(view(Duration.ZERO), 0)).isEqualTo(KeyExpiry.NEVER);
  }

  @Test
  void expireAtMillis_beyondLongRange_never() {
    assertThat(KeyExpiry.DEFAULT.expireAtMillis(HOURLY, Long.MAX_VALUE - 1)).isEqualTo(KeyExpiry.NEVER);
  }

  @Test
  void parse_unitsAndIso_giveDurations() {
    assertThat(KeyExpiry.parse("0").grace()).isEqualTo(Duration.ZERO);
    assertThat(KeyExpiry.parse("250ms").grace()).isEqualTo(Duration.ofMillis(250));
    assertThat(KeyExpiry.parse("90s").grace()).isEqualTo(Duration.ofSeconds(90));
    assertThat(KeyExpiry.parse("15m").grace()).isEqualTo(Duration.ofMinutes(15));
    assertThat(KeyExpiry.parse("2h").grace()).isEqualTo(Duration.ofHours(2));
    assertThat(KeyExpiry.parse("7d").grace()).isEqualTo(Duration.ofDays(7));
    assertThat(KeyExpiry.parse("PT1H30M").grace()).isEqualTo(Duration.ofMinutes(90));
  }

  @Test
  void parse_unknownUnit_failsNamingText() {
    assertThatThrownBy(() -> KeyExpiry.parse("3w"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("Cannot use expiry grace '3w': expected 0, a whole number with unit");
  }

  @Test
  void parse_negativeIso_failsNamingIt() {
    assertThatThrownBy(() -> KeyExpiry.parse("-PT1H"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("Cannot use expiry grace '-PT1H'");
  }
}
