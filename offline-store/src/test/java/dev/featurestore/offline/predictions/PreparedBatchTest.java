package dev.featurestore.offline.predictions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionBatch.Column;
import dev.featurestore.online.spi.PredictionBatch.PredictionRow;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PreparedBatchTest {
  private static PredictionBatch batch(String model, List<Column> features, List<Object> values) {
    return new PredictionBatch("req-7", 1L, model, 1, null, null, LogFixtures.USER_KEY, features,
        List.of(new PredictionRow(null, List.of(1L), values, List.of(), 0.5, Map.of())));
  }

  @Test
  void of_wellFormedBatch_convertsValuesToTheirColumnTypes() {
    PreparedBatch prepared = PreparedBatch.of(batch("fraud",
        List.of(new Column("count", ValueType.INT64), new Column("ratio", ValueType.DOUBLE)),
        Arrays.asList(3, null)));

    assertThat(prepared.names()).containsExactly("user_id", "count", "ratio");
    assertThat(prepared.values().get(0)).containsExactly(1L, 3L, null);
  }

  @Test
  void of_valueOfAnotherType_isRefusedNamingRequestRowAndColumn() {
    assertThatThrownBy(() -> PreparedBatch.of(
        batch("fraud", List.of(new Column("count", ValueType.INT64)), List.of("three"))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageStartingWith("Cannot log request 'req-7' of model 'fraud': row 0: ")
        .hasMessageContaining("'count'");
  }

  @Test
  void of_columnTakingAFixedName_isRefused() {
    assertThatThrownBy(() -> PreparedBatch.of(
        batch("fraud", List.of(new Column("score", ValueType.DOUBLE)), List.of(1.0))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot log request 'req-7' of model 'fraud': column 'score' clashes with the log's own column "
            + "of that name");
  }

  @Test
  void of_keyNameRepeatedAsFeature_isRefused() {
    assertThatThrownBy(() -> PreparedBatch.of(
        batch("fraud", List.of(new Column("user_id", ValueType.INT64)), List.of(1L))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot log request 'req-7' of model 'fraud': column 'user_id' appears twice");
  }

  @Test
  void of_rowWithTooFewFeatures_isRefused() {
    assertThatThrownBy(() -> PreparedBatch.of(
        batch("fraud", List.of(new Column("a", ValueType.INT64), new Column("b", ValueType.INT64)), List.of(1L))))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot log request 'req-7' of model 'fraud': row 0 has 1 keys and 1 features but the batch "
            + "has 1 key and 2 feature columns");
  }

  @Test
  void of_modelNameNoIdentifier_isRefusedNamingIt() {
    assertThatThrownBy(() -> PreparedBatch.of(batch("Fraud/v2", List.of(), List.of())))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot log request 'req-7' of model 'Fraud/v2': Cannot use model name 'Fraud/v2': names are "
            + "lower-case identifiers [a-z][a-z0-9_]*");
  }
}
