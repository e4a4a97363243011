package dev.featurestore.online.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.error.ModelLoadException;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real ONNX Runtime on models written by {@link OnnxModels}, against plain-Java computations of the same models. */
class ModelRuntimeTest {
  @TempDir Path dir;

  private static final float[] W = {0.8f, -1.5f, 0.25f};
  private static final float B = -0.3f;
  private static final float[][] W1 = {{0.5f, -0.2f, 0.1f, 0.9f}, {-0.7f, 0.3f, 0.6f, -0.1f}, {0.2f, 0.2f, -0.4f,
      0.5f}};
  private static final float[] B1 = {0.1f, -0.1f, 0.05f, 0f};
  private static final float[] W2 = {1.2f, -0.8f, 0.5f, 0.3f};
  private static final float B2 = 0.2f;

  private Model model(String file, byte[] bytes, String sha, String tensor) {
    String written = OnnxModels.write(dir.resolve(file), bytes);
    return new Model("m", 1, file, sha == null ? written : sha, "svc", List.of(
        ModelInput.of("v:a", tensor, ValueType.DOUBLE, 0), ModelInput.of("v:b", tensor, ValueType.DOUBLE, 0),
        ModelInput.of("v:c", tensor, ValueType.DOUBLE, 0)), "score", "");
  }

  private static ModelInputs rows(float[]... rows) {
    float[] flat = new float[rows.length * 3];
    for (int r = 0; r < rows.length; r++) {
      System.arraycopy(rows[r], 0, flat, r * 3, 3);
    }
    return new ModelInputs(List.of(new ModelInputs.Tensor("x", TensorType.FLOAT, FloatBuffer.wrap(flat), rows.length,
        3)), rows.length, 3, new Object[0], List.of());
  }

  static double sigmoid(double z) {
    return 1 / (1 + Math.exp(-z));
  }

  @Test
  void score_logisticRegression_equalsTheFormulaByHand() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model lr = model("lr.onnx", OnnxModels.logisticRegression("x", "score", W, B), null, "x");
      float[][] rows = {{1f, 2f, 3f}, {0f, 0f, 0f}, {-2.5f, 0.5f, 10f}};

      float[] scores = runtime.score(lr, rows(rows));

      for (int r = 0; r < rows.length; r++) {
        double z = B;
        for (int i = 0; i < 3; i++) {
          z += W[i] * rows[r][i];
        }
        assertThat((double) scores[r]).isCloseTo(sigmoid(z), within(1e-6));
      }
    }
  }

  @Test
  void score_mlp_equalsAPlainJavaForwardPass() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model mlp = model("mlp.onnx", OnnxModels.mlp("x", "score", W1, B1, W2, B2), null, "x");
      float[][] rows = {{1f, 2f, 3f}, {-1f, 0.5f, 0f}, {4f, -3f, 2f}};

      float[] scores = runtime.score(mlp, rows(rows));

      for (int r = 0; r < rows.length; r++) {
        assertThat((double) scores[r]).isCloseTo(mlpByHand(rows[r]), within(1e-6));
      }
    }
  }

  static double mlpByHand(float[] x) {
    double out = B2;
    for (int h = 0; h < B1.length; h++) {
      double z = B1[h];
      for (int i = 0; i < x.length; i++) {
        z += x[i] * W1[i][h];
      }
      out += Math.max(0, z) * W2[h];
    }
    return sigmoid(out);
  }

  @Test
  void score_failingModel_loadsButFailsTheRun() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model failing = model("failing.onnx", OnnxModels.failing("x", "score", 3), null, "x");

      try (ModelRuntime.Lease lease = runtime.lease(failing)) {
        assertThat(lease).isNotNull();
      }
      assertThatThrownBy(() -> runtime.score(failing, rows(new float[] {1f, 2f, 3f})))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("Cannot run model 'm' version 1: ");
    }
  }

  @Test
  void session_sha256Differs_isRefusedNamingBoth() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      byte[] bytes = OnnxModels.logisticRegression("x", "score", W, B);
      Model lr = model("lr.onnx", bytes, "f".repeat(64), "x");

      assertThatThrownBy(() -> runtime.lease(lr))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'm' version 1: file " + dir.resolve("lr.onnx") + " has sha256 "
              + OnnxModels.sha256(bytes) + " but the definition declares " + "f".repeat(64));
    }
  }

  @Test
  void session_tensorNameDiffersFromGraph_isRefusedNamingBoth() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model lr = model("lr.onnx", OnnxModels.logisticRegression("x", "score", W, B), null, "features");

      assertThatThrownBy(() -> runtime.lease(lr))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'm' version 1: the ONNX graph's inputs are [x] but the model declares"
              + " tensors [features]");
    }
  }

  @Test
  void session_columnCountDiffersFromGraph_isRefusedNamingTheShape() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model lr = model("lr.onnx", OnnxModels.logisticRegression("x", "score", new float[] {1f, 2f}, B), null, "x");

      assertThatThrownBy(() -> runtime.lease(lr))
          .isInstanceOf(ModelLoadException.class)
          .hasMessageStartingWith("Cannot load model 'm' version 1: ONNX input 'x' is ")
          .hasMessageEndingWith(" but the model feeds it float32 [rows, 3] (3 inputs)");
    }
  }

  @Test
  void session_missingFile_isRefusedNamingThePath() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model gone = new Model("m", 1, "gone.onnx", "0".repeat(64), "svc",
          List.of(ModelInput.of("v:a", "x", ValueType.DOUBLE, 0)), "score", "");

      assertThatThrownBy(() -> runtime.lease(gone))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'm' version 1: its file " + dir.resolve("gone.onnx") + " does not exist");
    }
  }

  /** A view v keyed by user_id with a (INT64), b (DOUBLE), c (DOUBLE), f (FLOAT), and its feature service svc. */
  private static Definitions typedDefinitions(List<Model> models) {
    return new Definitions(List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))),
        List.of(FeatureView.builder("v").entity("user").ttl(Duration.ZERO).feature("a", ValueType.INT64)
            .feature("b", ValueType.DOUBLE).feature("c", ValueType.DOUBLE).feature("f", ValueType.FLOAT).build()),
        List.of(FeatureService.of("svc", FeatureRef.allOf("v"))), models, List.of());
  }

  private Model typedModel(String name, List<ModelInput> inputs, OnnxModels.Input... graphInputs) {
    byte[] bytes = OnnxModels.logisticRegression("score", new float[] {1e-9f, -0.25f, 0.125f}, B, graphInputs);
    String sha = OnnxModels.write(dir.resolve(name + ".onnx"), bytes);
    return new Model(name, 1, name + ".onnx", sha, "svc", inputs, "score", "");
  }

  private static FeatureRow row(long user, Map<String, Object> values) {
    return new FeatureRow(EntityKey.of(user), 1, 1, values);
  }

  @Test
  void score_int64AndDoubleTensors_getTheFeaturesInTheirOwnTypesAndEqualTheFormula() {
    Model typed = typedModel("typed", List.of(ModelInput.of("v:a", "counts", ValueType.INT64, 7),
            ModelInput.of("v:b", "amounts", ValueType.DOUBLE, 0), ModelInput.of("v:c", "amounts", ValueType.DOUBLE,
                -2)),
        new OnnxModels.Input("counts", OnnxModels.ElementType.INT64, 1),
        new OnnxModels.Input("amounts", OnnxModels.ElementType.DOUBLE, 2));
    Definitions definitions = typedDefinitions(List.of(typed));
    // 3,000,000,001 does not fit an int: it reaches the graph as int64 (the graph casts it to float itself).
    List<FeatureRow> rows = java.util.Arrays.asList(
        row(1, Map.of("a", 3_000_000_001L, "b", 2.5, "c", -1.0)),
        row(2, Map.of("b", 0.125)),
        null);
    try (ModelRuntime runtime = new ModelRuntime(dir, 1); ModelRuntime.Lease lease = runtime.lease(typed)) {
      InputLayout layout = lease.layout(definitions);
      assertThat(layout.tensorTypes).containsExactly(TensorType.INT64, TensorType.DOUBLE);
      ModelInputs inputs = ModelInputs.of(layout, Map.of("v", rows), 10);

      float[] scores = lease.score(inputs);

      double[][] fed = {{3_000_000_001f, 2.5, -1.0}, {7, 0.125, -2}, {7, 0, -2}};
      for (int r = 0; r < fed.length; r++) {
        double z = B + 1e-9 * fed[r][0] - 0.25 * fed[r][1] + 0.125 * fed[r][2];
        assertThat((double) scores[r]).isCloseTo(sigmoid(z), within(1e-6));
      }
      assertThat(inputs.fed(0)).containsExactly(3_000_000_001L, 2.5, -1.0);
      assertThat(inputs.fed(1)).containsExactly(7L, 0.125, -2.0);
      assertThat(inputs.defaulted()).containsExactly(List.of(), List.of("a", "c"), List.of("a", "b", "c"));
    }
  }

  @Test
  void lease_floatFeatureIntoInt64Tensor_isRefusedNamingTheInputAndTheTensor() {
    Model typed = typedModel("typed", List.of(ModelInput.of("v:f", "counts", ValueType.FLOAT, 0),
            ModelInput.of("v:b", "amounts", ValueType.DOUBLE, 0), ModelInput.of("v:c", "amounts", ValueType.DOUBLE,
                0)),
        new OnnxModels.Input("counts", OnnxModels.ElementType.INT64, 1),
        new OnnxModels.Input("amounts", OnnxModels.ElementType.DOUBLE, 2));
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      assertThatThrownBy(() -> runtime.lease(typed))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'typed' version 1: input 'v:f' is FLOAT but ONNX input 'counts' holds int64;"
              + " declare the tensor as float32 or double in the graph, or feed it integer features only");
    }
  }

  @Test
  void lease_fractionalDefaultForInt64Tensor_isRefusedNamingTheInputAndTheDefault() {
    Model typed = typedModel("typed", List.of(ModelInput.of("v:a", "counts", ValueType.INT64, 0.5),
            ModelInput.of("v:b", "amounts", ValueType.DOUBLE, 0), ModelInput.of("v:c", "amounts", ValueType.DOUBLE,
                0)),
        new OnnxModels.Input("counts", OnnxModels.ElementType.INT64, 1),
        new OnnxModels.Input("amounts", OnnxModels.ElementType.DOUBLE, 2));
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      assertThatThrownBy(() -> runtime.lease(typed))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'typed' version 1: input 'v:a' has default 0.5, which ONNX input 'counts'"
              + " of int64 cannot hold");
    }
  }

  @Test
  void retainDefined_modelLeftTheDefinitions_closesItsSessionOnceTheRunningLeaseEnds() {
    Model kept = model("lr.onnx", OnnxModels.logisticRegression("x", "score", W, B), null, "x");
    Model removed = new Model("gone_soon", 1, "lr.onnx", kept.sha256(), "svc", kept.inputs(), "score", "");
    Definitions before = lrDefinitions(List.of(kept, removed));
    Definitions after = lrDefinitions(List.of(kept));
    AtomicReference<Definitions> current = new AtomicReference<>(before);
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      runtime.retainDefined(current::get);
      runtime.score(kept, rows(new float[] {1f, 2f, 3f}));
      ModelRuntime.Lease running = runtime.lease(removed);
      assertThat(runtime.openModels()).containsExactlyInAnyOrder(kept, removed);

      current.set(after);
      runtime.retainDefined(current::get);

      // The running lease still scores on its session; nothing new shares it.
      assertThat(running.score(rows(new float[] {1f, 2f, 3f}))).hasSize(1);
      assertThat(runtime.openModels()).containsExactly(kept);
      LoadedModel session = running.loaded();
      assertThat(session.isClosed()).isFalse();
      running.close();
      assertThat(session.isClosed()).isTrue();
      // A request still on the old definitions gets a session of its own, closed after its run.
      ModelRuntime.Lease late = runtime.lease(removed);
      assertThat(late.score(rows(new float[] {1f, 2f, 3f}))).hasSize(1);
      late.close();
      assertThat(late.loaded().isClosed()).isTrue();
      assertThat(runtime.openModels()).containsExactly(kept);
    }
  }

  /** Definitions for the models of {@link #model}: view v with a, b, c (DOUBLE), service svc. */
  private static Definitions lrDefinitions(List<Model> models) {
    return new Definitions(List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))),
        List.of(FeatureView.builder("v").entity("user").ttl(Duration.ZERO).feature("a", ValueType.DOUBLE)
            .feature("b", ValueType.DOUBLE).feature("c", ValueType.DOUBLE).build()),
        List.of(FeatureService.of("svc", FeatureRef.allOf("v"))), models, List.of());
  }
}
