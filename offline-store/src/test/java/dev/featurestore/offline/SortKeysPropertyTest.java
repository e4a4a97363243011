package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link SortKeys#sort} against a stable library sort of the same (key, time) pairs: on keys of one INT64 (kept as
 * their prefix alone) and of (INT64, STRING) (key bytes compared after the prefix), from small domains so that
 * equal keys and times are common, in random, sorted, reversed and constant inputs; and with quicksort's depth
 * limit at 0, so that the heapsort fallback is checked too; keys of one INT64 also radix sorted, and past the size
 * from which {@link SortKeys#sort} radix sorts them, over the whole range of longs.
 */
class SortKeysPropertyTest {
  record Pair(long user, String merchant, long time) {}

  @Property(tries = 300)
  void sort_anyInput_ordersByKeyThenTimeAndReturnsThePermutation(
      @ForAll("pairs") List<Pair> pairs,
      @ForAll boolean userOnly,
      @ForAll @IntRange(min = 0, max = 3) int arrangement,
      @ForAll boolean heapsortAtOnce) {
    ValueType[] types = userOnly ? new ValueType[] {ValueType.INT64} : new ValueType[] {ValueType.INT64,
        ValueType.STRING};
    Comparator<byte[]> keyOrder = (a, b) -> JoinRows.compareKeys(JoinRows.prefixOf(a), a, JoinRows.prefixOf(b), b);
    byte[][] keys = new byte[pairs.size()][];
    long[] times = new long[pairs.size()];
    Integer[] input = new Integer[pairs.size()];
    for (int i = 0; i < pairs.size(); i++) {
      Pair pair = pairs.get(i);
      keys[i] = ValueCodec.key(userOnly ? new Object[] {pair.user()} : new Object[] {pair.user(), pair.merchant()},
          types);
      times[i] = pair.time();
      input[i] = i;
    }
    Comparator<Integer> order = Comparator.<Integer, byte[]>comparing(i -> keys[i], keyOrder)
        .thenComparingLong(i -> times[i]);
    switch (arrangement) {
      case 1 -> Arrays.sort(input, order);
      case 2 -> Arrays.sort(input, order.reversed());
      case 3 -> Arrays.fill(input, input.length == 0 ? 0 : input[0]);
      default -> { }
    }
    SortKeys sortKeys = new SortKeys(types);
    for (int i : input) {
      sortKeys.add(keys[i], times[i]);
    }

    // with keys that are their prefix alone, heapsortAtOnce stands for the radix sort instead
    int[] ids = userOnly && heapsortAtOnce ? sortKeys.sortByRadix()
        : heapsortAtOnce ? sortKeys.sort(0) : sortKeys.sort();

    Integer[] expected = input.clone();
    Arrays.sort(expected, order);
    assertThat(ids).as("a permutation of the added indices").hasSize(input.length);
    assertThat(Arrays.stream(ids).sorted().toArray()).containsExactly(
        java.util.stream.IntStream.range(0, input.length).toArray());
    for (int i = 0; i < ids.length; i++) {
      int added = input[ids[i]];
      int wanted = expected[i];
      assertThat(sortKeys.time(i)).as("time at %d", i).isEqualTo(times[wanted]);
      assertThat(keyOrder.compare(keys[added], keys[wanted])).as("key at %d", i).isZero();
      assertThat(times[added]).as("the id's row at %d", i).isEqualTo(times[wanted]);
      assertThat(sortKeys.prefix(i)).isEqualTo(JoinRows.prefixOf(keys[wanted]));
      if (!userOnly) {
        assertThat(sortKeys.key(i)).isEqualTo(keys[added]);
      }
    }
  }

  @Property(tries = 20)
  void sort_manyPrefixOnlyKeys_radixSortEqualsIntrosort(@ForAll java.util.Random random) {
    int n = 40_000 + random.nextInt(20_000);
    SortKeys radix = new SortKeys(new ValueType[] {ValueType.INT64});
    SortKeys intro = new SortKeys(new ValueType[] {ValueType.INT64});
    for (int i = 0; i < n; i++) {
      // full-range keys and times, a third repeated from a small set (ties), some near the sign boundaries
      long key = random.nextInt(3) == 0 ? random.nextInt(50) - 25 : random.nextLong();
      long time = random.nextInt(3) == 0 ? Long.MIN_VALUE + random.nextInt(3) : random.nextLong();
      radix.addPrefix(key, time);
      intro.addPrefix(key, time);
    }

    int[] radixIds = radix.sort();
    intro.sort(2 * 32);

    assertThat(radixIds).hasSize(n);
    for (int i = 0; i < n; i++) {
      assertThat(radix.prefix(i)).as("prefix at %d", i).isEqualTo(intro.prefix(i));
      assertThat(radix.time(i)).as("time at %d", i).isEqualTo(intro.time(i));
    }
    boolean[] seen = new boolean[n];
    for (int id : radixIds) {
      assertThat(seen[id]).as("id %d twice", id).isFalse();
      seen[id] = true;
    }
  }

  @Test
  void sort_thenAdd_isRefused() {
    SortKeys keys = new SortKeys(new ValueType[] {ValueType.INT64});
    keys.add(ValueCodec.key(new Object[] {1L}, new ValueType[] {ValueType.INT64}), 5);
    keys.sort();
    assertThatThrownBy(() -> keys.add(new byte[8], 1)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(keys::sort).isInstanceOf(IllegalStateException.class);
  }

  @Provide
  Arbitrary<List<Pair>> pairs() {
    return Combinators.combine(
            Arbitraries.longs().between(-3, 3),
            Arbitraries.of("", "a", "b", "merchant-long-name"),
            Arbitraries.longs().between(-2, 5))
        .as(Pair::new)
        .list().ofMaxSize(300);
  }
}
