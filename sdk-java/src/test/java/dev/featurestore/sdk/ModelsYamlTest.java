package dev.featurestore.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.definition.ModelVersion;
import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelsYamlTest {
  private static final String SHA = "ab".repeat(32);

  private static Definitions repo() {
    return FeatureRepo.builder()
        .entity(Entity.of("user", JoinKey.of("user_id", ValueType.INT64)))
        .view(FeatureView.builder("user_stats").entity("user").ttl(Duration.ofDays(1))
            .feature("txn_count", ValueType.INT64).feature("avg_amount", ValueType.DOUBLE))
        .service(FeatureService.of("fraud", FeatureRef.allOf("user_stats")))
        .model(new Model("fraud_lr", 1, "fraud_lr_1.onnx", SHA, "fraud",
            List.of(ModelInput.of("user_stats:txn_count", "x", ValueType.INT64, 0),
                ModelInput.of("user_stats:avg_amount", "x", ValueType.DOUBLE, 12.5)), "score", "v1"))
        .model(new Model("fraud_lr", 2, "fraud_lr_2.onnx", SHA, "fraud",
            List.of(ModelInput.of("user_stats:txn_count", "x", ValueType.INT64, 1)), "score", ""))
        .experiment(new Experiment("fraud_ab", "user_id", "2026-11",
            List.of(Experiment.Variant.of("control", 90, "fraud_lr", 1),
                Experiment.Variant.of("treatment", 10, "fraud_lr", 2)),
            List.of(ModelVersion.of("fraud_lr", 2)), "new weights"))
        .build();
  }

  @Test
  void writeThenRead_modelsAndExperiments_giveEqualDefinitions() {
    Definitions repo = repo();

    String yaml = DefinitionsYaml.write(repo);

    assertThat(yaml).contains("models:", "experiments:", "model: fraud_lr@1", "shadows:");
    assertThat(DefinitionsYaml.parse(yaml)).isEqualTo(repo);
  }

  @Test
  void parse_inputTypeMismatchingTheService_isRefusedNamingModelAndInput() {
    String yaml = DefinitionsYaml.write(repo()).replace("type: DOUBLE\n        default: 12.5",
        "type: FLOAT\n        default: 12.5");

    assertThat(yaml).contains("type: FLOAT");
    assertThatThrownBy(() -> DefinitionsYaml.parse(yaml))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageEndingWith("cannot define model 'fraud_lr' version 1: input 'user_stats:avg_amount' is declared"
            + " FLOAT but feature service 'fraud' serves it as DOUBLE");
  }

  @Test
  void parse_badVariantModel_isRefusedNamingThePlace() {
    String yaml = DefinitionsYaml.write(repo()).replace("model: fraud_lr@2", "model: fraud_lr");

    assertThatThrownBy(() -> DefinitionsYaml.parse(yaml))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("experiments[0] (fraud_ab).variants[1] (treatment): cannot parse model version"
            + " 'fraud_lr': expected 'name@version'");
  }
}
