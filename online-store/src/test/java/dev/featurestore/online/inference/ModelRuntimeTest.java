package dev.featurestore.online.inference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.error.ModelLoadException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
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
    return new ModelInputs(Map.of("x", flat), rows.length, List.of(), List.of());
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

      assertThat(runtime.session(failing)).isNotNull();
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

      assertThatThrownBy(() -> runtime.session(lr))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'm' version 1: file " + dir.resolve("lr.onnx") + " has sha256 "
              + OnnxModels.sha256(bytes) + " but the definition declares " + "f".repeat(64));
    }
  }

  @Test
  void session_tensorNameDiffersFromGraph_isRefusedNamingBoth() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model lr = model("lr.onnx", OnnxModels.logisticRegression("x", "score", W, B), null, "features");

      assertThatThrownBy(() -> runtime.session(lr))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'm' version 1: the ONNX graph's inputs are [x] but the model declares"
              + " tensors [features]");
    }
  }

  @Test
  void session_columnCountDiffersFromGraph_isRefusedNamingTheShape() {
    try (ModelRuntime runtime = new ModelRuntime(dir, 1)) {
      Model lr = model("lr.onnx", OnnxModels.logisticRegression("x", "score", new float[] {1f, 2f}, B), null, "x");

      assertThatThrownBy(() -> runtime.session(lr))
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

      assertThatThrownBy(() -> runtime.session(gone))
          .isInstanceOf(ModelLoadException.class)
          .hasMessage("Cannot load model 'm' version 1: its file " + dir.resolve("gone.onnx") + " does not exist");
    }
  }
}
