package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The sort-merge as-of join ({@link ExternalSorter} + {@link AsOfMerge}) against a brute-force reading of
 * DESIGN.md's definition, on rows with compound keys from a small domain and timestamps from a small range, so that
 * ties and TTL boundaries are common; once with every sort in memory, once with a budget so small that every
 * sort spills runs to disk and merges them, and once in columns ({@link ProbeColumns}, {@link ViewColumns}) as the
 * in-memory join keeps them, also moved over to spilling sorters as when the columns outgrow their share.
 */
class PointInTimeJoinPropertyTest {
  private static final ValueType[] KEY_TYPES = {ValueType.INT64, ValueType.STRING};
  private static final ValueType[] VALUE_TYPES = {ValueType.INT64};

  /** A generated feature row before it is given a write position. */
  record Generated(int user, String merchant, long event, long created, int commit) {}

  /** A generated entity row: key values may lie outside the rows' domain (keys without data). */
  record Lookup(int user, String merchant, long t) {}

  @Property(tries = 300)
  void merge_inMemory_equalsBruteForce(
      @ForAll("rows") List<Generated> generated,
      @ForAll("lookups") List<Lookup> lookups,
      @ForAll("ttls") long ttl,
      @ForAll boolean asKnownAt) throws IOException {
    assertMergeEqualsBruteForce(generated, lookups, ttl, asKnownAt, Long.MAX_VALUE, false);
  }

  @Property(tries = 200)
  void merge_spilledToDisk_equalsBruteForce(
      @ForAll("rows") List<Generated> generated,
      @ForAll("lookups") List<Lookup> lookups,
      @ForAll("ttls") long ttl,
      @ForAll boolean asKnownAt) throws IOException {
    // about three records per run: every sort with more records spills several runs
    assertMergeEqualsBruteForce(generated, lookups, ttl, asKnownAt, 300, true);
  }

  @Property(tries = 300)
  void merge_columns_equalsBruteForce(
      @ForAll("rows") List<Generated> generated,
      @ForAll("lookups") List<Lookup> lookups,
      @ForAll("ttls") long ttl,
      @ForAll boolean asKnownAt,
      @ForAll boolean userOnly) throws IOException {
    // userOnly: a single INT64 key, which the columns keep as its prefix alone; else (INT64, STRING) key bytes
    ValueType[] keyTypes = userOnly ? new ValueType[] {ValueType.INT64} : KEY_TYPES;
    List<StoredRow> rows = new ArrayList<>();
    for (int i = 0; i < generated.size(); i++) {
      Generated g = generated.get(i);
      EntityKey key = userOnly ? EntityKey.of((long) g.user()) : EntityKey.of((long) g.user(), g.merchant());
      rows.add(new StoredRow(key, g.event(), g.created(), g.commit(), i, new Object[] {(long) i}));
    }
    List<StoredRow> shuffled = new ArrayList<>(rows);
    Collections.shuffle(shuffled, new Random(generated.size()));
    // keys of one INT64 by their prefix alone, as the join adds them; the row's index as its position
    ViewColumns columns = new ViewColumns(keyTypes);
    for (StoredRow row : shuffled) {
      long eligible = asKnownAt ? Math.max(row.eventMicros(), row.createdMicros()) : row.eventMicros();
      if (userOnly) {
        columns.addPrefix(JoinRows.prefixOfInteger((Long) row.key().values().get(0), ValueType.INT64), eligible,
            row.eventMicros(), row.createdMicros(), row.sequence(), 0, (int) row.position());
      } else {
        columns.add(ValueCodec.key(row.key().values().toArray(), keyTypes), eligible, row.eventMicros(),
            row.createdMicros(), row.sequence(), 0, (int) row.position());
      }
    }
    ProbeColumns probes = new ProbeColumns(keyTypes);
    List<EntityKey> lookupKeys = new ArrayList<>();
    for (int p = 0; p < lookups.size(); p++) {
      Lookup lookup = lookups.get(p);
      EntityKey key = userOnly ? EntityKey.of((long) lookup.user()) : EntityKey.of((long) lookup.user(),
          lookup.merchant());
      lookupKeys.add(key);
      probes.add(ValueCodec.key(key.values().toArray(), keyTypes), lookup.t(), p);
    }
    int[] matchOf = new int[lookups.size()];
    java.util.Arrays.fill(matchOf, -1);
    AsOfMerge.merge(probes, columns, ttl, matchOf);
    for (int p = 0; p < lookups.size(); p++) {
      StoredRow expected = bruteForce(rows, lookupKeys.get(p), lookups.get(p).t(), ttl, asKnownAt);
      assertThat(matchOf[p] < 0 ? null : rows.get(columns.position(matchOf[p])).values()[0])
          .as("lookup %s ttl %d asKnownAt %s userOnly %s", lookups.get(p), ttl, asKnownAt, userOnly)
          .isEqualTo(expected == null ? null : expected.values()[0]);
    }

    // the same rows and probes in spilling sorters, as when they outgrow their share of the budget
    Path spill = Files.createTempDirectory("pit-spill");
    try (ExternalSorter<JoinRows.Probe> probeSorter = new ExternalSorter<>(
            "probes", JoinRows.PROBE_CODEC, JoinRows.PROBE_ORDER, 300, spill);
        ExternalSorter<JoinRows.ViewRow> rowSorter = new ExternalSorter<>(
            "rows", JoinRows.viewRowCodec(VALUE_TYPES), JoinRows.VIEW_ROW_ORDER, 300, spill);
        ExternalSorter<JoinRows.Match> matches = new ExternalSorter<>(
            "matches", JoinRows.matchCodec(VALUE_TYPES), JoinRows.MATCH_ORDER, 300, spill)) {
      for (int i = 0; i < probes.size(); i++) {
        probeSorter.add(probes.toProbe(i));
      }
      for (StoredRow row : shuffled) {
        rowSorter.add(new JoinRows.ViewRow(ValueCodec.key(row.key().values().toArray(), keyTypes),
            asKnownAt ? Math.max(row.eventMicros(), row.createdMicros()) : row.eventMicros(), row.eventMicros(),
            row.createdMicros(), row.sequence(), row.position(), row.values()));
      }
      AsOfMerge.merge(probeSorter.sorted(), rowSorter.sorted(), ttl, matches::add);
      Object[] found = new Object[lookups.size()];
      for (Iterator<JoinRows.Match> it = matches.sorted(); it.hasNext(); ) {
        JoinRows.Match match = it.next();
        found[(int) match.position()] = match.values()[0];
      }
      for (int p = 0; p < lookups.size(); p++) {
        assertThat(found[p]).as("moved to sorters: lookup %s", lookups.get(p))
            .isEqualTo(matchOf[p] < 0 ? null : rows.get(columns.position(matchOf[p])).values()[0]);
      }
    } finally {
      try (Stream<Path> files = Files.list(spill)) {
        assertThat(files).as("run files left behind").isEmpty();
      }
      Files.delete(spill);
    }
  }

  private static void assertMergeEqualsBruteForce(List<Generated> generated, List<Lookup> lookups, long ttl,
      boolean asKnownAt, long budget, boolean expectSpill) throws IOException {
    List<StoredRow> rows = new ArrayList<>();
    for (int i = 0; i < generated.size(); i++) {
      Generated g = generated.get(i);
      // position = index within the whole generated list: later rows of one commit are later writes
      rows.add(new StoredRow(
          EntityKey.of((long) g.user(), g.merchant()), g.event(), g.created(), g.commit(), i, new Object[] {(long) i}));
    }
    Path spill = Files.createTempDirectory("pit-spill");
    try (ExternalSorter<JoinRows.Probe> probes = new ExternalSorter<>(
            "probes", JoinRows.PROBE_CODEC, JoinRows.PROBE_ORDER, budget, spill);
        ExternalSorter<JoinRows.ViewRow> viewRows = new ExternalSorter<>(
            "rows", JoinRows.viewRowCodec(VALUE_TYPES), JoinRows.VIEW_ROW_ORDER, budget, spill);
        ExternalSorter<JoinRows.Match> matches = new ExternalSorter<>(
            "matches", JoinRows.matchCodec(VALUE_TYPES), JoinRows.MATCH_ORDER, budget, spill)) {
      // rows in a shuffled order: the sort, not the input order, must decide
      List<StoredRow> shuffled = new ArrayList<>(rows);
      Collections.shuffle(shuffled, new Random(generated.size()));
      for (StoredRow row : shuffled) {
        viewRows.add(new JoinRows.ViewRow(key(row.key()),
            asKnownAt ? Math.max(row.eventMicros(), row.createdMicros()) : row.eventMicros(), row.eventMicros(),
            row.createdMicros(), row.sequence(), row.position(), row.values()));
      }
      for (int p = 0; p < lookups.size(); p++) {
        Lookup lookup = lookups.get(p);
        probes.add(new JoinRows.Probe(key(EntityKey.of((long) lookup.user(), lookup.merchant())), lookup.t(), p));
      }
      AsOfMerge.merge(probes.sorted(), viewRows.sorted(), ttl, matches::add);
      Map<Long, Object> found = new HashMap<>();
      for (Iterator<JoinRows.Match> it = matches.sorted(); it.hasNext(); ) {
        JoinRows.Match match = it.next();
        assertThat(found.put(match.position(), match.values()[0])).as("one match per probe").isNull();
      }
      if (expectSpill && generated.size() > 5) {
        assertThat(viewRows.spilledRuns()).isGreaterThan(1);
      }
      for (int p = 0; p < lookups.size(); p++) {
        Lookup lookup = lookups.get(p);
        StoredRow expected = bruteForce(rows, EntityKey.of((long) lookup.user(), lookup.merchant()), lookup.t(), ttl,
            asKnownAt);
        assertThat(found.get((long) p))
            .as("lookup %s ttl %d asKnownAt %s", lookup, ttl, asKnownAt)
            .isEqualTo(expected == null ? null : expected.values()[0]);
      }
    } finally {
      try (Stream<Path> files = Files.list(spill)) {
        assertThat(files).as("run files left behind").isEmpty();
      }
      Files.delete(spill);
    }
  }

  private static byte[] key(EntityKey key) {
    return ValueCodec.key(key.values().toArray(), KEY_TYPES);
  }

  /**
   * DESIGN.md, literally: the row x with x.keys = k, x.event <= t, x.event >= t - d when d > 0 (and x.created <= t
   * as known at t), with the largest event, ties by the largest created, then by the latest write.
   */
  static StoredRow bruteForce(List<StoredRow> rows, EntityKey key, long t, long ttl, boolean asKnownAt) {
    StoredRow best = null;
    for (StoredRow x : rows) {
      boolean candidate = x.key().equals(key)
          && x.eventMicros() <= t
          && (ttl == 0 || x.eventMicros() >= t - ttl)
          && (!asKnownAt || x.createdMicros() <= t);
      if (!candidate) {
        continue;
      }
      if (best == null || isLater(x, best)) {
        best = x;
      }
    }
    return best;
  }

  private static boolean isLater(StoredRow x, StoredRow best) {
    if (x.eventMicros() != best.eventMicros()) {
      return x.eventMicros() > best.eventMicros();
    }
    if (x.createdMicros() != best.createdMicros()) {
      return x.createdMicros() > best.createdMicros();
    }
    if (x.sequence() != best.sequence()) {
      return x.sequence() > best.sequence();
    }
    return x.position() > best.position();
  }

  @Provide
  Arbitrary<List<Generated>> rows() {
    Arbitrary<Generated> row = Combinators.combine(
            Arbitraries.integers().between(0, 2),
            Arbitraries.of("a", "b"),
            Arbitraries.longs().between(0, 12),
            Arbitraries.longs().between(0, 15),
            Arbitraries.integers().between(1, 3))
        .as(Generated::new);
    return row.list().ofMaxSize(40);
  }

  @Provide
  Arbitrary<List<Lookup>> lookups() {
    Arbitrary<Lookup> lookup = Combinators.combine(
            Arbitraries.integers().between(0, 3), Arbitraries.of("a", "b", "c"), Arbitraries.longs().between(-2, 16))
        .as(Lookup::new);
    return lookup.list().ofMinSize(1).ofMaxSize(20);
  }

  @Provide
  Arbitrary<Long> ttls() {
    return Arbitraries.oneOf(Arbitraries.just(0L), Arbitraries.longs().between(1, 8));
  }
}
