package dev.featurestore.offline.predictions;

import java.nio.file.Path;

/**
 * What a training set from the prediction log wrote.
 *
 * @param rows logged rows written, labelled or not
 * @param labelledRows rows that got an outcome
 * @param snapshotId the snapshot of the log table read, so that the set can be rebuilt
 */
public record LogTrainingSetResult(long rows, long labelledRows, Path output, long snapshotId, double seconds) {}
