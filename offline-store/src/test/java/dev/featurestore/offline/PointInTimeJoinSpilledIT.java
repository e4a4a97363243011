package dev.featurestore.offline;

/**
 * Every hand-written case of {@link PointInTimeJoinIT} again, with a memory budget of a few hundred bytes and
 * batches of one row: each sort writes runs to disk and merges them, and the output is assembled batch by batch.
 */
class PointInTimeJoinSpilledIT extends PointInTimeJoinIT {
  @Override
  TrainingSetOptions options() {
    return TrainingSetOptions.builder().memoryBudgetBytes(500).spillDirectory(dir.resolve("spill")).batchRows(1)
        .build();
  }
}
