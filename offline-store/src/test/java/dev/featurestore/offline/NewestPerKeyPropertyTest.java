package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.data.EntityKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/**
 * {@link NewestPerKey} against a brute-force reading of DESIGN.md's order (event, then created, then the later
 * write: data sequence number, then position; of equal rows the file listed first), on keys and timestamps from
 * small domains and files that share sequence numbers, so that every kind of tie is common; rows offered in any
 * order and split over several tables merged in any order, as the reading threads do.
 */
class NewestPerKeyPropertyTest {
  /** A generated row: its key, timestamps and where it is (file index, position in the file). */
  record Row(int key, long event, long created, int file, int position) {}

  @Property(tries = 300)
  void newest_longKeys_equalsBruteForce(
      @ForAll("rows") List<Row> rows, @ForAll("sequences") long[] sequences, @ForAll @IntRange(min = 1, max = 4)
      int parts, @ForAll long seed) {
    assertNewestEqualsBruteForce(rows, sequences, parts, seed, true);
  }

  @Property(tries = 300)
  void newest_entityKeys_equalsBruteForce(
      @ForAll("rows") List<Row> rows, @ForAll("sequences") long[] sequences, @ForAll @IntRange(min = 1, max = 4)
      int parts, @ForAll long seed) {
    assertNewestEqualsBruteForce(rows, sequences, parts, seed, false);
  }

  @Property(tries = 20)
  void newest_manyKeys_keepsOneRowPerKeyAcrossGrowth(@ForAll @IntRange(min = 1, max = 20_000) int keys) {
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < keys; k++) {
      rows.add(new Row(k * 7919, k % 13, 0, 0, 2 * k));
      rows.add(new Row(k * 7919, k % 13, 0, 0, 2 * k + 1));
    }
    assertNewestEqualsBruteForce(rows, new long[] {1}, 1, keys, true);
  }

  private static void assertNewestEqualsBruteForce(
      List<Row> generated, long[] sequences, int parts, long seed, boolean longKeys) {
    // a file's rows have distinct positions: renumber them in generated order
    int[] nextPosition = new int[sequences.length];
    List<Row> rows = new ArrayList<>();
    for (Row row : generated) {
      int file = row.file() % sequences.length;
      rows.add(new Row(row.key(), row.event(), row.created(), file, nextPosition[file]++));
    }
    Collections.shuffle(rows, new Random(seed));
    List<NewestPerKey> tables = new ArrayList<>();
    for (int p = 0; p < parts; p++) {
      tables.add(longKeys ? NewestPerKey.ofLongKeys(sequences) : NewestPerKey.ofEntityKeys(sequences));
    }
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      NewestPerKey table = tables.get(i % parts);
      if (longKeys) {
        table.offer(row.key(), row.event(), row.created(), row.file(), row.position());
      } else {
        table.offer(EntityKey.of((long) row.key(), "k" + row.key()), row.event(), row.created(), row.file(),
            row.position());
      }
    }
    Collections.shuffle(tables, new Random(seed + 1));
    NewestPerKey merged = tables.get(0);
    for (NewestPerKey table : tables.subList(1, tables.size())) {
      merged = merged.mergeFrom(table);
    }

    Map<Integer, Row> expected = new TreeMap<>();
    for (Row row : rows) {
      expected.merge(row.key(), row, (a, b) -> isNewer(b, a, sequences) ? b : a);
    }
    assertThat(merged.scanned()).isEqualTo(rows.size());
    assertThat(merged.size()).isEqualTo(expected.size());
    int[][] positions = merged.positionsByFile(sequences.length);
    List<String> kept = new ArrayList<>();
    for (int f = 0; f < positions.length; f++) {
      for (int position : positions[f]) {
        kept.add(f + "@" + position);
      }
    }
    assertThat(kept).containsExactlyInAnyOrderElementsOf(
        expected.values().stream().map(row -> row.file() + "@" + row.position()).toList());
  }

  /** DESIGN.md's order read literally: whether {@code a} is newer than {@code b}. */
  private static boolean isNewer(Row a, Row b, long[] sequences) {
    if (a.event() != b.event()) {
      return a.event() > b.event();
    }
    if (a.created() != b.created()) {
      return a.created() > b.created();
    }
    if (sequences[a.file()] != sequences[b.file()]) {
      return sequences[a.file()] > sequences[b.file()];
    }
    if (a.position() != b.position()) {
      return a.position() > b.position();
    }
    return a.file() < b.file();
  }

  @Provide
  Arbitrary<List<Row>> rows() {
    return Combinators.combine(
            Arbitraries.integers().between(-3, 5),
            Arbitraries.longs().between(0, 3),
            Arbitraries.longs().between(0, 2),
            Arbitraries.integers().between(0, 5))
        .as((key, event, created, file) -> new Row(key, event, created, file, 0))
        .list().ofMaxSize(80);
  }

  @Provide
  Arbitrary<long[]> sequences() {
    return Arbitraries.longs().between(1, 3).array(long[].class).ofMinSize(1).ofMaxSize(6);
  }
}
