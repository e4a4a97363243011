package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fill and serve rules of the near cache, on one node (TieredOnlineStoreIT runs them across a cluster). */
class NearCacheTest {
  private static final FeatureView VIEW = view();
  private static final String KEY = "k";

  private static FeatureView view() {
    return FeatureView.builder("v").entity("user").feature("version", ValueType.INT64).build();
  }

  private static byte[] row(long event) {
    return RecordCodec.encode(VIEW, new FeatureRow(EntityKey.of(1L), event, 1, Map.of("version", event)));
  }

  private static NearCache filling(int entries) {
    NearCache near = new NearCache(entries);
    near.resume(near.suspendedState());
    return near;
  }

  private static void fill(NearCache near, String key, byte[] row) {
    near.fill(VIEW, key, row, KeyExpiry.NEVER, near.fillTicket(), near.sequence(VIEW.name(), key));
  }

  @Test
  void get_afterFill_returnsRowAndCountsHit() {
    NearCache near = filling(10);

    fill(near, KEY, row(5));

    assertThat(near.get(VIEW, KEY)).isEqualTo(row(5));
    assertThat(near.hits()).isEqualTo(1);
  }

  @Test
  void fill_beforeFirstResume_isDropped() {
    NearCache near = new NearCache(10);

    fill(near, KEY, row(5));

    assertThat(near.isFilling()).isFalse();
    assertThat(near.get(VIEW, KEY)).isNull();
  }

  @Test
  void fill_fetchedBeforeInvalidation_isDropped() {
    NearCache near = filling(10);
    long ticket = near.fillTicket();
    long sequence = near.sequence(VIEW.name(), KEY);

    near.invalidate(VIEW.name(), List.of(KEY));
    near.fill(VIEW, KEY, row(5), KeyExpiry.NEVER, ticket, sequence);

    assertThat(near.get(VIEW, KEY)).isNull();
  }

  @Test
  void fill_fetchedBeforeSuspension_isDroppedAfterResume() {
    NearCache near = filling(10);
    long ticket = near.fillTicket();
    long sequence = near.sequence(VIEW.name(), KEY);

    near.suspend();
    near.resume(near.suspendedState());
    near.fill(VIEW, KEY, row(5), KeyExpiry.NEVER, ticket, sequence);

    assertThat(near.get(VIEW, KEY)).isNull();
  }

  @Test
  void get_afterSuspension_servesNothingCachedBefore() {
    NearCache near = filling(10);
    fill(near, KEY, row(5));

    near.suspend();
    near.resume(near.suspendedState());

    assertThat(near.get(VIEW, KEY)).isNull();
    assertThat(near.size(VIEW.name())).isZero();
  }

  @Test
  void resume_afterAnotherSuspension_staysSuspended() {
    NearCache near = filling(10);
    near.suspend();
    long checked = near.suspendedState();

    near.suspend();

    assertThat(near.resume(checked)).isFalse();
    assertThat(near.fillTicket()).isEqualTo(NearCache.NO_FILL);
  }

  @Test
  void invalidate_cachedKey_removesIt() {
    NearCache near = filling(10);
    fill(near, KEY, row(5));
    fill(near, "other", row(6));

    near.invalidate(VIEW.name(), List.of(KEY));

    assertThat(near.get(VIEW, KEY)).isNull();
    assertThat(near.get(VIEW, "other")).isEqualTo(row(6));
  }

  @Test
  void fill_olderThanCached_keepsCached() {
    NearCache near = filling(10);
    fill(near, KEY, row(9));

    fill(near, KEY, row(5));

    assertThat(near.get(VIEW, KEY)).isEqualTo(row(9));
  }

  @Test
  void get_otherVersionOfView_servesTheRecordWhichDecodesUnderIt() {
    NearCache near = filling(10);
    fill(near, KEY, row(5));
    FeatureView changed = FeatureView.builder("v").entity("user")
        .feature("added", ValueType.STRING).feature("version", ValueType.INT64).build();

    byte[] cached = near.get(changed, KEY);

    assertThat(RecordCodec.decode(EntityKey.of(1L), cached, changed).values())
        .containsOnly(Map.entry("version", 5L));
  }

  @Test
  void fill_alreadyExpired_isNotCached() {
    NearCache near = filling(10);

    near.fill(VIEW, KEY, row(5), System.currentTimeMillis() - 1, near.fillTicket(), near.sequence(VIEW.name(), KEY));

    assertThat(near.get(VIEW, KEY)).isNull();
  }

  @Test
  void fill_beyondBound_evicts() {
    NearCache near = filling(10);

    for (int i = 0; i < 100; i++) {
      fill(near, "k" + i, row(i));
    }

    assertThat(near.size(VIEW.name())).isEqualTo(10);
  }

  @Test
  void create_nonPositiveBound_isRefusedNamingIt() {
    assertThatThrownBy(() -> new NearCache(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot create a near cache: 0 entries per view");
  }
}
