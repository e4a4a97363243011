package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TrainingSetOptionsTest {
  @Test
  void oneAtATimeBudget_isHalfTheMaxHeapButNeverBelowTheDefault() {
    long halfHeap = Runtime.getRuntime().maxMemory() / 2;

    assertThat(TrainingSetOptions.oneAtATimeBudget())
        .isGreaterThanOrEqualTo(TrainingSetOptions.DEFAULT_MEMORY_BUDGET)
        .isEqualTo(Math.max(halfHeap, TrainingSetOptions.DEFAULT_MEMORY_BUDGET));
  }

  @Test
  void defaults_keepTheFixedBudgetForServersAnsweringSeveralRequests() {
    assertThat(TrainingSetOptions.defaults().memoryBudgetBytes()).isEqualTo(TrainingSetOptions.DEFAULT_MEMORY_BUDGET);
  }
}
