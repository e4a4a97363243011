package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.data.EntityKey;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The in-memory join ({@link PointInTimeIndex}) against a brute-force reading of DESIGN.md's definition, on rows
 * with compound keys from a small domain and timestamps from a small range, so that ties and TTL boundaries are
 * common.
 */
class PointInTimeJoinPropertyTest {

  /** A generated feature row before it is given a write position. */
  record Generated(int user, String merchant, long event, long created, int commit) {}

  /** A generated entity row: key values may lie outside the rows' domain (keys without data). */
  record Lookup(int user, String merchant, long t) {}

  @Property(tries = 500)
  void lookup_anyRowsAndEntityRows_equalsBruteForce(
      @ForAll("rows") List<Generated> generated,
      @ForAll("lookups") List<Lookup> lookups,
      @ForAll("ttls") long ttl,
      @ForAll boolean asKnownAt) {
    List<StoredRow> rows = new ArrayList<>();
    for (int i = 0; i < generated.size(); i++) {
      Generated g = generated.get(i);
      // position = index within the whole generated list: later rows of one commit are later writes
      rows.add(new StoredRow(
          EntityKey.of((long) g.user(), g.merchant()), g.event(), g.created(), g.commit(), i, new Object[] {i}));
    }
    PointInTimeIndex index = PointInTimeIndex.of(rows);
    for (Lookup lookup : lookups) {
      EntityKey key = EntityKey.of((long) lookup.user(), lookup.merchant());
      assertThat(index.lookup(key, lookup.t(), ttl, asKnownAt))
          .as("lookup %s ttl %d asKnownAt %s", lookup, ttl, asKnownAt)
          .isSameAs(bruteForce(rows, key, lookup.t(), ttl, asKnownAt));
    }
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
