package dev.featurestore.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.error.InvalidRequestException;
import org.junit.jupiter.api.Test;

class OnlineStoresTest {

  @Test
  void fromOutside_embeddedDefault_isClientOfLocalDefaultCluster() {
    assertThat(OnlineStores.fromOutside("hazelcast")).isEqualTo("hazelcast://127.0.0.1:5701?cluster=featurestore");
  }

  @Test
  void fromOutside_embeddedWithPortAndCluster_keepsBoth() {
    assertThat(OnlineStores.fromOutside("hazelcast:embedded?cluster=fs&port=5801"))
        .isEqualTo("hazelcast://127.0.0.1:5801?cluster=fs");
  }

  @Test
  void fromOutside_embeddedWithMembers_usesThemAsAddresses() {
    assertThat(OnlineStores.fromOutside("hazelcast:embedded?members=127.0.0.1:5801,127.0.0.1:5802"))
        .isEqualTo("hazelcast://127.0.0.1:5801,127.0.0.1:5802?cluster=featurestore");
  }

  @Test
  void fromOutside_sharedStores_areUnchanged() {
    assertThat(OnlineStores.fromOutside("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(OnlineStores.fromOutside("hazelcast://10.0.0.1:5701")).isEqualTo("hazelcast://10.0.0.1:5701");
  }

  @Test
  void fromOutside_redisWithHotTier_joinsHotClusterAsClient() {
    assertThat(OnlineStores.fromOutside("redis://10.0.0.1:6379?hotEntries=100&hotMembers=10.0.0.2:5801"))
        .isEqualTo("redis://10.0.0.1:6379?hotEntries=100&hotMembers=10.0.0.2:5801&hotClient=true");
    assertThat(OnlineStores.fromOutside("redis-sentinel://10.0.0.1:26379/0?hotEntries=100#primary"))
        .isEqualTo("redis-sentinel://10.0.0.1:26379/0?hotEntries=100&hotClient=true#primary");
  }

  @Test
  void fromOutside_unknownParameter_isRefusedNamingIt() {
    assertThatThrownBy(() -> OnlineStores.fromOutside("hazelcast?size=3"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("size");
  }

  @Test
  void fromOutside_embeddedWithExpiryGrace_keepsItForOutsideWriters() {
    assertThat(OnlineStores.fromOutside("hazelcast?expiryGrace=2h"))
        .isEqualTo("hazelcast://127.0.0.1:5701?cluster=featurestore&expiryGrace=2h");
  }

  @Test
  void open_badExpiryGrace_isRefusedNamingUriAndValue() {
    assertThatThrownBy(() -> OnlineStores.open("redis://127.0.0.1:1?expiryGrace=soon"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("Cannot open online store 'redis://127.0.0.1:1?expiryGrace=soon': Cannot use expiry"
            + " grace 'soon'");
  }

  @Test
  void open_clusterWithDatabase_isRefused() {
    assertThatThrownBy(() -> OnlineStores.open("redis-cluster://127.0.0.1:1,127.0.0.1:2/3"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'redis-cluster://127.0.0.1:1,127.0.0.1:2/3': a Redis Cluster has only"
            + " database 0; expected redis-cluster://host:port[,host:port...]");
  }

  @Test
  void open_clusterWithMasterName_isRefused() {
    assertThatThrownBy(() -> OnlineStores.open("redis-cluster://127.0.0.1:1#master"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'redis-cluster://127.0.0.1:1#master': a Redis Cluster has no master"
            + " name; expected redis-cluster://host:port[,host:port...]");
  }

  @Test
  void open_clusterWithoutNodes_isRefused() {
    assertThatThrownBy(() -> OnlineStores.open("redis-cluster://"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'redis-cluster://': no node address");
  }

  @Test
  void open_hotTierWithoutEntryBound_isRefusedNamingParameter() {
    assertThatThrownBy(() -> OnlineStores.open("redis://127.0.0.1:1?hotPort=5801"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'redis://127.0.0.1:1?hotPort=5801': hotPort needs hotEntries=N to turn"
            + " the hot tier on");
  }

  @Test
  void open_hotTierWithBadEntryBound_isRefusedNamingValue() {
    assertThatThrownBy(() -> OnlineStores.open("redis://127.0.0.1:1?hotEntries=many"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'redis://127.0.0.1:1?hotEntries=many': hotEntries 'many' is not a"
            + " positive whole number");
  }

  @Test
  void open_nearCacheWithoutHotTier_isRefusedNamingParameter() {
    assertThatThrownBy(() -> OnlineStores.open("redis://127.0.0.1:1?nearEntries=100"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'redis://127.0.0.1:1?nearEntries=100': nearEntries needs hotEntries=N to"
            + " turn the hot tier on");
  }

  @Test
  void open_nearCacheWithBadEntryBound_isRefusedNamingValue() {
    assertThatThrownBy(() -> OnlineStores.open("redis://127.0.0.1:1?hotEntries=10&nearEntries=-5"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open online store 'redis://127.0.0.1:1?hotEntries=10&nearEntries=-5': nearEntries '-5' is"
            + " not a positive whole number");
  }

  @Test
  void fromOutside_redisWithNearCache_keepsItForTheClientToIgnore() {
    assertThat(OnlineStores.fromOutside("redis://10.0.0.1:6379?hotEntries=100&nearEntries=10"))
        .isEqualTo("redis://10.0.0.1:6379?hotEntries=100&nearEntries=10&hotClient=true");
  }
}
