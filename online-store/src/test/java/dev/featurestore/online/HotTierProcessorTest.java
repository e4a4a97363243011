package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.util.AbstractMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The rules of the hot tier's entries, on a plain entry (the IT runs them on a real cluster). */
class HotTierProcessorTest {
  private static final FeatureView VIEW = FeatureView.builder("v").entity("user")
      .feature("version", ValueType.INT64).build();
  private static final byte[] LEASE = {1, 2, 3, 4, 5, 6, 7, 8};
  private static final byte[] OTHER_LEASE = {8, 7, 6, 5, 4, 3, 2, 1};

  private static byte[] record(long event) {
    return RecordCodec.encode(VIEW, new FeatureRow(EntityKey.of(1L), event, 1, Map.of("version", event)));
  }

  private static Map.Entry<String, byte[]> entry(byte[] value) {
    return new AbstractMap.SimpleEntry<>("k", value);
  }

  private static byte[] populate(Map.Entry<String, byte[]> entry, byte[] record) {
    HotTierProcessor.populate(LEASE, record, KeyExpiry.NEVER).process(entry);
    return entry.getValue();
  }

  @Test
  void read_absent_placesAndReturnsLease() {
    Map.Entry<String, byte[]> entry = entry(null);

    assertThat(HotTierProcessor.read(LEASE).process(entry)).isEqualTo(LEASE);
    assertThat(entry.getValue()).isEqualTo(LEASE);
  }

  @Test
  void read_leaseOfAnotherRead_returnsThatLease() {
    assertThat(HotTierProcessor.read(LEASE).process(entry(OTHER_LEASE))).isEqualTo(OTHER_LEASE);
  }

  @Test
  void read_cachedRecord_returnsIt() {
    assertThat(HotTierProcessor.read(LEASE).process(entry(record(5)))).isEqualTo(record(5));
  }

  @Test
  void populate_ownLease_storesRecord() {
    assertThat(populate(entry(LEASE), record(5))).isEqualTo(record(5));
  }

  @Test
  void populate_afterInvalidationOrEviction_isDropped() {
    assertThat(populate(entry(null), record(5))).isNull();
  }

  @Test
  void populate_leaseOfLaterRead_isDropped() {
    assertThat(populate(entry(OTHER_LEASE), record(5))).isEqualTo(OTHER_LEASE);
  }

  @Test
  void populate_olderThanCached_keepsCached() {
    assertThat(populate(entry(record(9)), record(5))).isEqualTo(record(9));
  }

  @Test
  void populate_newerThanCached_replacesIt() {
    assertThat(populate(entry(record(5)), record(9))).isEqualTo(record(9));
  }

  @Test
  void populate_nothingInRedis_releasesOwnLease() {
    assertThat(populate(entry(LEASE), null)).isNull();
  }

  @Test
  void populate_alreadyExpiredRecord_isNotCached() {
    Map.Entry<String, byte[]> entry = entry(LEASE);

    HotTierProcessor.populate(LEASE, record(5), System.currentTimeMillis() - 1).process(entry);

    assertThat(entry.getValue()).isNull();
  }

  @Test
  void invalidate_recordOrLease_removesIt() {
    Map.Entry<String, byte[]> cached = entry(record(5));
    Map.Entry<String, byte[]> leased = entry(LEASE);

    HotTierProcessor.invalidate().process(cached);
    HotTierProcessor.invalidate().process(leased);

    assertThat(cached.getValue()).isNull();
    assertThat(leased.getValue()).isNull();
  }
}
