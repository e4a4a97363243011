package dev.featurestore.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.error.InvalidRequestException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RequestsTest {

  @Test
  void onlineRequest_refinedWithMethods_keepsEarlierSettings() {
    OnlineRequest request = OnlineRequest.ofFeatures("user_stats:*")
        .withNaming(FeatureNaming.FULL)
        .withEntityRow(Map.of("user_id", 1L))
        .withEntityRow(Map.of("user_id", 2L));

    assertThat(request.features()).containsExactly(FeatureRef.allOf("user_stats"));
    assertThat(request.featureService()).isNull();
    assertThat(request.naming()).isEqualTo(FeatureNaming.FULL);
    assertThat(request.entityRows()).containsExactly(Map.of("user_id", 1L), Map.of("user_id", 2L));
  }

  @Test
  void onlineRequest_entityRowsCopied_laterChangesToTheMapDoNotLeakIn() {
    Map<String, Object> row = new HashMap<>(Map.of("user_id", 1L));
    OnlineRequest request = OnlineRequest.ofService("fraud_model").withEntityRow(row);

    row.put("user_id", 2L);

    assertThat(request.entityRows().get(0)).containsEntry("user_id", 1L);
  }

  @Test
  void onlineRequest_bothSelections_isRefusedNamingTheService() {
    assertThatThrownBy(() -> new OnlineRequest(List.of(FeatureRef.allOf("v")), "svc", List.of(), null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build online request: name features or feature service 'svc', not both");
    assertThatThrownBy(() -> new OnlineRequest(List.of(), null, List.of(), null))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build online request: name features or a feature service");
  }

  @Test
  void onlineRequest_nullKeyValue_isRefusedNamingRowAndKey() {
    Map<String, Object> row = new HashMap<>();
    row.put("user_id", null);

    assertThatThrownBy(() -> OnlineRequest.ofService("fraud_model").withEntityRow(Map.of("a", 1)).withEntityRow(row))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use entity row 1: join key 'user_id' has no value");
  }

  @Test
  void onlineRequest_badReference_isRefusedNamingIt() {
    assertThatThrownBy(() -> OnlineRequest.ofFeatures("user_stats"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot parse feature reference 'user_stats': expected 'view:feature' or 'view:*'");
  }

  @Test
  void pushRow_nullFeatureValue_isKeptAsNullState() {
    Map<String, Object> features = new HashMap<>();
    features.put("amount", null);

    PushRow row = PushRow.of(Map.of("user_id", 1L), features, 5).withCreatedTimestamp(6);

    assertThat(row.features()).containsEntry("amount", null);
    assertThat(row.createdTimestamp()).isEqualTo(6);
  }

  @Test
  void pushRow_missingEventTimestamp_isRefused() {
    assertThatThrownBy(() -> PushRow.of(Map.of("user_id", 1L), Map.of(), 0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build push row: event timestamp 0 is not a positive UTC microsecond time");
    assertThatThrownBy(() -> PushRow.of(Map.of(), Map.of(), 1))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build push row: it has no join key");
  }

  @Test
  void onlineResponse_rowOfWrongWidth_isRefused() {
    assertThatThrownBy(() -> new OnlineResponse(List.of("a"), List.of(FeatureRef.of("v", "a")), List.of(List.of())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read online response: row 0 has 0 values for 1 features");
  }

  @Test
  void options_badPortOrTimeout_isRefusedNamingIt() {
    assertThatThrownBy(() -> FeatureStoreClientOptions.builder("localhost", 0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use feature store address 'localhost:0': the port is not between 1 and 65535");
    assertThatThrownBy(() -> FeatureStoreClientOptions.builder("localhost", 1).timeout(java.time.Duration.ZERO))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use timeout PT0S: it must be positive");
  }
}
