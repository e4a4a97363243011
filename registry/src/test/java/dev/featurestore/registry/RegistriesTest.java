package dev.featurestore.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RegistriesTest {

  @Test
  void jdbc_unsupportedUrl_refusedNamingUrlWithoutParameters() {
    assertThatThrownBy(() -> Registries.jdbc("jdbc:mysql://db/registry?password=secret", "u", "p"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot open the registry at 'jdbc:mysql://db/registry': only jdbc:postgresql: and "
            + "jdbc:sqlite: URLs are supported");
  }

  @Test
  void options_defaults_refreshEverySecond() {
    assertThat(RegistryOptions.defaults().refreshInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(RegistryOptions.defaults().toBuilder().refreshInterval(Duration.ofMillis(5)).build().refreshInterval())
        .isEqualTo(Duration.ofMillis(5));
  }

  @Test
  void options_zeroRefreshInterval_refusedNamingInterval() {
    assertThatThrownBy(() -> RegistryOptions.builder().refreshInterval(Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use registry refresh interval PT0S: it must be positive");
  }
}
