package dev.featurestore.offline;

import dev.featurestore.api.ValueType;
import java.util.Arrays;
import java.util.Random;

/**
 * Times the in-memory join's sort of (key, time) pairs both ways, on the same input: the radix sort {@link
 * SortKeys#sort} takes for keys that are their prefix alone, against the introsort it takes for the others. In the
 * offline store's package because {@link SortKeys} is internal to it.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar dev.featurestore.offline.SortKeysBenchmark [rows] [keys]}
 * (default 4,000,000 rows of 500,000 keys, times over a year: a view of the larger offline benchmark shape).
 */
public final class SortKeysBenchmark {
  private static final int ROUNDS = 7;

  private SortKeysBenchmark() {}

  public static void main(String[] args) {
    int rows = args.length > 0 ? Integer.parseInt(args[0]) : 4_000_000;
    int keys = args.length > 1 ? Integer.parseInt(args[1]) : 500_000;
    double[] intro = new double[ROUNDS];
    double[] radix = new double[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
      intro[round] = time(rows, keys, round, false);
      radix[round] = time(rows, keys, round, true);
    }
    System.out.printf("%,d rows, %,d keys, %d rounds (the first is JIT warm-up): introsort median %.0f ms, radix sort"
        + " median %.0f ms, ratio %.2f%n", rows, keys, ROUNDS, median(intro), median(radix),
        median(radix) / median(intro));
  }

  private static double time(int rows, int keys, int seed, boolean radix) {
    Random random = new Random(seed);
    SortKeys sortKeys = new SortKeys(new ValueType[] {ValueType.INT64});
    long start = 1_700_000_000_000_000L;
    long year = 365L * 86_400_000_000L;
    for (int i = 0; i < rows; i++) {
      sortKeys.addPrefix(random.nextInt(keys), start + (long) (random.nextDouble() * year));
    }
    long began = System.nanoTime();
    if (radix) {
      sortKeys.sortByRadix();
    } else {
      sortKeys.sort(2 * 32);
    }
    return (System.nanoTime() - began) / 1e6;
  }

  private static double median(double[] values) {
    double[] rest = Arrays.copyOfRange(values, 1, values.length);
    Arrays.sort(rest);
    return rest[rest.length / 2];
  }
}
