package dev.featurestore.offline;

import dev.featurestore.api.error.InvalidRequestException;

/**
 * Which data files {@link OfflineStore#compact} rewrites. Immutable; start from {@link #defaults()} and refine with
 * the {@code withX} methods.
 *
 * <p>Within each partition (day of {@code event_timestamp}) the files are taken in commit order; every run of at
 * least {@code minInputFiles} consecutive small files is rewritten into files of about {@code targetFileBytes}.
 * Only consecutive files are merged, so that the order of writes, which breaks full ties in the point-in-time
 * join, stays as it was.
 *
 * @param smallFileBytes a file smaller than this is small (default 32 MiB)
 * @param targetFileBytes how much data (measured as the input files' sizes) one output file holds at most
 *     (default 128 MiB)
 * @param minInputFiles how many consecutive small files make a rewrite worth a commit (default 2)
 */
public record CompactionOptions(long smallFileBytes, long targetFileBytes, int minInputFiles) {
  public CompactionOptions {
    if (smallFileBytes < 1) {
      throw new InvalidRequestException("Cannot compact: small file size " + smallFileBytes + " must be positive");
    }
    if (targetFileBytes < smallFileBytes) {
      throw new InvalidRequestException("Cannot compact: target file size " + targetFileBytes
          + " is below the small file size " + smallFileBytes);
    }
    if (minInputFiles < 2) {
      throw new InvalidRequestException("Cannot compact: minimum input files " + minInputFiles + " must be at least 2");
    }
  }

  public static CompactionOptions defaults() {
    return new CompactionOptions(32L << 20, 128L << 20, 2);
  }

  public CompactionOptions withSmallFileBytes(long smallFileBytes) {
    return new CompactionOptions(smallFileBytes, Math.max(targetFileBytes, smallFileBytes), minInputFiles);
  }

  public CompactionOptions withTargetFileBytes(long targetFileBytes) {
    return new CompactionOptions(smallFileBytes, targetFileBytes, minInputFiles);
  }

  public CompactionOptions withMinInputFiles(int minInputFiles) {
    return new CompactionOptions(smallFileBytes, targetFileBytes, minInputFiles);
  }
}
