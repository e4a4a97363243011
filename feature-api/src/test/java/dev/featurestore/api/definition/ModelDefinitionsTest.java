package dev.featurestore.api.definition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.api.proto.ProtoDefinitions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelDefinitionsTest {
  private static final String SHA = "0".repeat(64);

  private static Definitions with(List<Model> models, List<Experiment> experiments) {
    Entity user = Entity.of("user", JoinKey.of("user_id", ValueType.INT64));
    FeatureView stats = FeatureView.builder("user_stats").entity("user")
        .feature("txn_count", ValueType.INT64).feature("avg_amount", ValueType.DOUBLE)
        .feature("country", ValueType.STRING).ttl(Duration.ZERO).build();
    FeatureService service = FeatureService.of("fraud", FeatureRef.allOf("user_stats"));
    return new Definitions(List.of(user), List.of(stats), List.of(service), models, experiments);
  }

  private static Model model(int version, ModelInput... inputs) {
    return new Model("fraud_lr", version, "lr.onnx", SHA, "fraud", List.of(inputs), "score", "");
  }

  private static Model good(int version) {
    return model(version, ModelInput.of("user_stats:txn_count", "x", ValueType.INT64, 0),
        ModelInput.of("user_stats:avg_amount", "x", ValueType.DOUBLE, 12.5));
  }

  @Test
  void definitions_inputTypeDiffersFromService_isRefusedNamingTheMismatch() {
    Model wrong = model(1, ModelInput.of("user_stats:avg_amount", "x", ValueType.FLOAT, 0));

    assertThatThrownBy(() -> with(List.of(wrong), List.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define model 'fraud_lr' version 1: input 'user_stats:avg_amount' is declared FLOAT but"
            + " feature service 'fraud' serves it as DOUBLE");
  }

  @Test
  void definitions_inputNotInService_isRefusedNamingTheInput() {
    Model wrong = model(1, ModelInput.of("user_stats:nope", "x", ValueType.INT64, 0));

    assertThatThrownBy(() -> with(List.of(wrong), List.of()))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define model 'fraud_lr' version 1: input 'user_stats:nope' is not a feature of feature"
            + " service 'fraud'");
  }

  @Test
  void modelInput_stringType_isRefusedNamingTheType() {
    assertThatThrownBy(() -> ModelInput.of("user_stats:country", "x", ValueType.STRING, 0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot use model input 'user_stats:country': type STRING cannot feed a float tensor; expected"
            + " BOOL, INT32, INT64, FLOAT or DOUBLE");
  }

  @Test
  void model_badSha256_isRefusedNamingTheValue() {
    assertThatThrownBy(() -> new Model("m", 1, "m.onnx", "abc", "fraud",
        List.of(ModelInput.of("user_stats:txn_count", "x", ValueType.INT64, 0)), "score", ""))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define model 'm' version 1: sha256 'abc' is not 64 hexadecimal digits");
  }

  @Test
  void experiment_undefinedModelVersion_isRefusedNamingIt() {
    Experiment experiment = new Experiment("ab", "user_id", "", List.of(Experiment.Variant.of("a", 1, "fraud_lr",
        2)), List.of(), "");

    assertThatThrownBy(() -> with(List.of(good(1)), List.of(experiment)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define experiment 'ab': model 'fraud_lr@2' is not defined");
  }

  @Test
  void experiment_unitKeyNotAJoinKey_isRefusedNamingIt() {
    Experiment experiment = new Experiment("ab", "item_id", "", List.of(Experiment.Variant.of("a", 1, "fraud_lr",
        1)), List.of(), "");

    assertThatThrownBy(() -> with(List.of(good(1)), List.of(experiment)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot define experiment 'ab': unit key 'item_id' is no join key of feature service 'fraud'");
  }

  @Test
  void requireModel_versionZero_isTheHighestAndMissingVersionIsNamed() {
    Definitions definitions = with(List.of(good(1), good(3)), List.of());

    assertThat(definitions.requireModel("fraud_lr", 0).version()).isEqualTo(3);
    assertThatThrownBy(() -> definitions.requireModel("fraud_lr", 2))
        .isInstanceOf(NotFoundException.class)
        .hasMessage("Cannot find model 'fraud_lr' version 2: the defined versions are [1, 3]");
  }

  @Test
  void proto_modelsAndExperiments_roundTrip() {
    Experiment experiment = new Experiment("ab", "user_id", "salt", List.of(
        Experiment.Variant.of("control", 9, "fraud_lr", 1), Experiment.Variant.of("treatment", 1, "fraud_lr", 2)),
        List.of(ModelVersion.of("fraud_lr", 2)), "lr v2 vs v1");
    Definitions definitions = with(List.of(good(1), good(2)), List.of(experiment));

    assertThat(ProtoDefinitions.fromProto(ProtoDefinitions.toProto(definitions))).isEqualTo(definitions);
  }
}
