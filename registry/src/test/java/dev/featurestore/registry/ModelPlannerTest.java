package dev.featurestore.registry;

import static dev.featurestore.registry.Fixtures.base;
import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.definition.ModelVersion;
import dev.featurestore.registry.ObjectChange.Action;
import dev.featurestore.registry.ObjectChange.FieldChange;
import dev.featurestore.registry.ObjectChange.Kind;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ModelPlannerTest {
  private static final String SHA_A = "a".repeat(64);
  private static final String SHA_B = "b".repeat(64);

  private static Model model(int version, String sha) {
    return new Model("fraud_lr", version, "fraud_lr_" + version + ".onnx", sha, "fraud",
        List.of(ModelInput.of("txn:amount", "features", ValueType.INT64, 0)), "score", "");
  }

  private static Definitions with(List<Model> models, List<Experiment> experiments) {
    Definitions base = base();
    return new Definitions(base.entities(), base.featureViews(), base.featureServices(), models, experiments);
  }

  private static Plan plan(Definitions before, Definitions after) {
    return Planner.plan(new RegistrySnapshot(7, before, Instant.EPOCH), after);
  }

  @Test
  void plan_newModelVersionAndExperiment_areAddedByNameAndVersion() {
    Experiment experiment = new Experiment("lr_test", "user_id", "s1",
        List.of(Experiment.Variant.of("control", 1, "fraud_lr", 1), Experiment.Variant.of("treatment", 1,
            "fraud_lr", 2)), List.of(), "");

    Plan plan = plan(with(List.of(model(1, SHA_A)), List.of()),
        with(List.of(model(1, SHA_A), model(2, SHA_B)), List.of(experiment)));

    assertThat(plan.changes()).containsExactly(
        new ObjectChange(Action.ADDED, Kind.MODEL, "fraud_lr@2", List.of()),
        new ObjectChange(Action.ADDED, Kind.EXPERIMENT, "lr_test", List.of()));
    assertThat(plan.isAllowed()).isTrue();
  }

  @Test
  void plan_appliedModelVersionChanged_isRefusedNamingTheFieldAndNextVersion() {
    Plan plan = plan(with(List.of(model(1, SHA_A)), List.of()), with(List.of(model(1, SHA_B)), List.of()));

    assertThat(plan.changes()).containsExactly(new ObjectChange(Action.CHANGED, Kind.MODEL, "fraud_lr@1",
        List.of(new FieldChange("sha256", SHA_A, SHA_B))));
    assertThat(plan.violations()).containsExactly("model 'fraud_lr' version 1: sha256 changes, but a model version"
        + " is immutable once applied; declare version 2 instead");
  }

  @Test
  void plan_modelVersionRemovedAndExperimentReweighted_isAllowed() {
    Experiment before = new Experiment("lr_test", "user_id", "s1",
        List.of(Experiment.Variant.of("control", 1, "fraud_lr", 1)), List.of(ModelVersion.of("fraud_lr", 2)), "");
    Experiment after = new Experiment("lr_test", "user_id", "s1",
        List.of(Experiment.Variant.of("control", 3, "fraud_lr", 1)), List.of(), "");

    Plan plan = plan(with(List.of(model(1, SHA_A), model(2, SHA_B)), List.of(before)),
        with(List.of(model(1, SHA_A)), List.of(after)));

    assertThat(plan.changes()).containsExactly(
        new ObjectChange(Action.REMOVED, Kind.MODEL, "fraud_lr@2", List.of()),
        new ObjectChange(Action.CHANGED, Kind.EXPERIMENT, "lr_test", List.of(
            new FieldChange("variants.control.weight", "1", "3"),
            new FieldChange("shadows", "fraud_lr@2", ""))));
    assertThat(plan.isAllowed()).isTrue();
  }
}
