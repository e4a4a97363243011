package dev.featurestore.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void intendedNanos_fixedRate_spacesRequestsOneOverRateApart() {
    Schedule schedule = new Schedule(1_000, 2000);

    assertThat(schedule.intendedNanos(0)).isEqualTo(1_000);
    assertThat(schedule.intendedNanos(1)).isEqualTo(1_000 + 500_000);
    assertThat(schedule.intendedNanos(2000)).isEqualTo(1_000 + 1_000_000_000L);
  }

  @Test
  void intendedNanos_rateNotDividingASecond_doesNotAccumulateRounding() {
    Schedule schedule = new Schedule(0, 3);

    // 1/3 s is not a whole number of nanoseconds; request 3 million must still land on exactly one million seconds.
    assertThat(schedule.intendedNanos(3_000_000)).isEqualTo(1_000_000L * 1_000_000_000L);
  }

  @Test
  void count_duration_isRequestsWhoseIntendedTimeFallsInside() {
    assertThat(new Schedule(0, 2000).count(Duration.ofSeconds(20))).isEqualTo(40_000);
    assertThat(new Schedule(0, 100).count(Duration.ofMillis(15))).isEqualTo(2);
    assertThat(new Schedule(0, 100).count(Duration.ZERO)).isEqualTo(1);
  }

  @Test
  void constructor_zeroRate_isRefusedNamingTheRate() {
    assertThatThrownBy(() -> new Schedule(0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot schedule requests at 0.0 per second: expected > 0");
  }

  @Test
  void latencySummaryOf_nanosecondHistogram_reportsMilliseconds() {
    Histogram histogram = new Histogram(60_000_000_000L, 3);
    for (int i = 1; i <= 1000; i++) {
      histogram.recordValue(i * 1_000L); // 1 µs .. 1 ms
    }

    LatencySummary summary = LatencySummary.of(histogram);

    assertThat(summary.count()).isEqualTo(1000);
    assertThat(summary.p50Millis()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(0.001));
    assertThat(summary.p99Millis()).isCloseTo(0.99, org.assertj.core.data.Offset.offset(0.001));
    assertThat(summary.maxMillis()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.001));
  }

  @Test
  void ratio_missingSide_isDash() {
    assertThat(LatencySummary.ratio(3.0, 2.0)).isEqualTo("1.50x");
    assertThat(LatencySummary.ratio(3.0, Double.NaN)).isEqualTo("-");
  }
}
