package dev.featurestore.online.inference;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The parts of {@link Predictor} that need no server; the endpoint end to end is {@link PredictIT}. */
class PredictorTest {

  @Test
  void requestId_isARandomVersion4UuidAndDiffersPerCall() {
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = Predictor.requestId();
      UUID parsed = UUID.fromString(id);
      assertThat(parsed.version()).isEqualTo(4);
      assertThat(parsed.variant()).isEqualTo(2);
      assertThat(parsed.toString()).isEqualTo(id);
      ids.add(id);
    }
    assertThat(ids).hasSize(10_000);
  }
}
