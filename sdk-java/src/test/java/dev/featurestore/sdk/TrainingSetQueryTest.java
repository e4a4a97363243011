package dev.featurestore.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.error.InvalidRequestException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingSetQueryTest {

  @Test
  void toCommand_asOf_carriesTheManifestAndNoSelection() {
    TrainingSetQuery query = TrainingSetQuery.asOf("{\"rows\": 3, \"content_hash\": \"sha256:ab\"}");

    assertThat(new String(query.toCommand("/data/e.parquet"), StandardCharsets.UTF_8))
        .isEqualTo("{\"as_of\":{\"rows\":3,\"content_hash\":\"sha256:ab\"},\"entity_path\":\"/data/e.parquet\"}");
  }

  @Test
  void asOf_notJsonObject_isInvalidSayingSo() {
    assertThatThrownBy(() -> TrainingSetQuery.asOf("[1, 2]"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build training-set query: the manifest must be a JSON object");
  }

  @Test
  void asOf_withFeatures_isInvalidSayingTheManifestHasThem() {
    assertThatThrownBy(() -> new TrainingSetQuery(
        List.of(), "fraud", false, TrainingSetQuery.Visibility.ALL_WRITES, "{}"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot build training-set query: a query as of a manifest takes its features, naming and"
            + " visibility from the manifest");
  }
}
