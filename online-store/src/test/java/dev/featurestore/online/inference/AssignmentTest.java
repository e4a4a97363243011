package dev.featurestore.online.inference;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.definition.Experiment;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AssignmentTest {
  private static final Experiment EXPERIMENT = new Experiment("ranker_ab", "user_id", "2026-11",
      List.of(Experiment.Variant.of("control", 50, "lr", 1), Experiment.Variant.of("treatment", 30, "lr", 2),
          Experiment.Variant.of("holdout", 20, "lr", 3)), List.of(), "");

  @Test
  void variant_100000Units_splitMatchesTheWeightsWithinChiSquareTolerance() {
    Map<String, Integer> counts = new HashMap<>();
    int units = 100_000;
    for (long user = 0; user < units; user++) {
      counts.merge(Assignment.variant(EXPERIMENT, Long.toString(user)).name(), 1, Integer::sum);
    }

    double chiSquare = 0;
    for (Experiment.Variant variant : EXPERIMENT.variants()) {
      double expected = units * variant.weight() / 100.0;
      double observed = counts.getOrDefault(variant.name(), 0);
      chiSquare += (observed - expected) * (observed - expected) / expected;
    }
    // 2 degrees of freedom: P(chi-square > 13.82) = 0.001, so a correct hash fails this one time in a thousand.
    assertThat(chiSquare).isLessThan(13.82);
  }

  @Test
  void variant_sameSaltAndUnit_isTheSameEveryTimeAndOtherSaltReshuffles() {
    Experiment resalted = new Experiment("ranker_ab", "user_id", "2026-12", EXPERIMENT.variants(), List.of(), "");
    int moved = 0;
    for (long user = 0; user < 1000; user++) {
      String unit = Long.toString(user);
      assertThat(Assignment.variant(EXPERIMENT, unit)).isEqualTo(Assignment.variant(EXPERIMENT, unit));
      if (!Assignment.variant(EXPERIMENT, unit).equals(Assignment.variant(resalted, unit))) {
        moved++;
      }
    }
    // Independent assignments agree with probability 0.5^2 + 0.3^2 + 0.2^2 = 0.38.
    assertThat(moved).isBetween(550, 690);
  }

  @Test
  void hash_knownInput_isFixedAcrossReleases() {
    // SHA-256("s" NUL "42") starts with these 8 bytes; pinned so a refactoring cannot silently reassign units.
    assertThat(Assignment.hash("s", "42")).isEqualTo(Assignment.hash("s", "42"));
    assertThat(Long.toHexString(Assignment.hash("s", "42"))).isEqualTo(expectedHex());
  }

  private static String expectedHex() {
    try {
      java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
      byte[] digest = sha.digest("s\u000042".getBytes(java.nio.charset.StandardCharsets.UTF_8));
      return Long.toHexString(java.nio.ByteBuffer.wrap(digest).getLong());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }
}
