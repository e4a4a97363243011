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
  void fromOutside_unknownParameter_isRefusedNamingIt() {
    assertThatThrownBy(() -> OnlineStores.fromOutside("hazelcast?size=3"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("size");
  }
}
