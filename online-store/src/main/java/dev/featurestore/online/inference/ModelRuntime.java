package dev.featurestore.online.inference;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtLoggingLevel;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.error.ModelLoadException;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime sessions, one per model version, loaded on first use and checked then: the file's SHA-256 against
 * the definition, the graph's inputs against the declared tensors (names, float32, [rows, columns]) and its score
 * output (float32, [rows] or [rows, 1]). A failed load is not cached, so a corrected file is picked up by the next
 * call. Every method blocks (file I/O, native inference): call them from the inference worker pool only.
 * Thread-safe: sessions are shared by concurrent runs, as ONNX Runtime allows.
 */
final class ModelRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRuntime.class);

  // Run failures reach the caller as exceptions; ONNX Runtime's own stderr log would only repeat them.
  private final OrtEnvironment environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
  private final Path modelDirectory;
  private final int threadsPerRun;
  private final Map<Model, CompletableFuture<OrtSession>> sessions = new ConcurrentHashMap<>();

  ModelRuntime(Path modelDirectory, int threadsPerRun) {
    this.modelDirectory = modelDirectory;
    this.threadsPerRun = threadsPerRun;
  }

  /**
   * Scores every row of {@code inputs} in one run.
   *
   * @return one score per row
   * @throws ModelLoadException naming the model when it cannot be loaded as defined
   */
  float[] score(Model model, ModelInputs inputs) {
    OrtSession session = session(model);
    Map<String, OnnxTensor> tensors = new HashMap<>();
    try {
      for (Map.Entry<String, float[]> tensor : inputs.tensors().entrySet()) {
        long columns = tensor.getValue().length / Math.max(1, inputs.rows());
        tensors.put(tensor.getKey(), OnnxTensor.createTensor(environment, FloatBuffer.wrap(tensor.getValue()),
            new long[] {inputs.rows(), inputs.rows() == 0 ? 0 : columns}));
      }
      try (OrtSession.Result result = session.run(tensors)) {
        OnnxValue output = result.get(model.scoreOutput()).orElseThrow();
        FloatBuffer scores = ((OnnxTensor) output).getFloatBuffer();
        if (scores.remaining() != inputs.rows()) {
          throw new ModelLoadException(what(model) + ": output '" + model.scoreOutput() + "' holds "
              + scores.remaining() + " values for " + inputs.rows() + " rows");
        }
        float[] out = new float[inputs.rows()];
        scores.get(out);
        return out;
      }
    } catch (OrtException e) {
      throw new IllegalStateException("Cannot run model '" + model.name() + "' version " + model.version() + ": "
          + e.getMessage(), e);
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  /** Loads (or finds) the session of a model version; waits when another thread is loading it. */
  OrtSession session(Model model) {
    CompletableFuture<OrtSession> mine = new CompletableFuture<>();
    CompletableFuture<OrtSession> existing = sessions.putIfAbsent(model, mine);
    if (existing != null) {
      try {
        return existing.join();
      } catch (CompletionException e) {
        throw e.getCause() instanceof RuntimeException r ? r : e;
      }
    }
    try {
      OrtSession session = load(model);
      mine.complete(session);
      return session;
    } catch (RuntimeException e) {
      sessions.remove(model, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private OrtSession load(Model model) {
    Path file = modelDirectory.resolve(model.artifact());
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ModelLoadException(what(model) + ": its file " + file + " does not exist", e);
    } catch (IOException e) {
      throw new ModelLoadException(what(model) + ": cannot read its file " + file + ": " + e.getMessage(), e);
    }
    String sha256 = OnnxModels.sha256(bytes);
    if (!sha256.equals(model.sha256())) {
      throw new ModelLoadException(what(model) + ": file " + file + " has sha256 " + sha256 + " but the definition"
          + " declares " + model.sha256());
    }
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(threadsPerRun);
      options.setInterOpNumThreads(1);
      session = environment.createSession(bytes, options);
    } catch (OrtException e) {
      throw new ModelLoadException(what(model) + ": ONNX Runtime refuses file " + file + ": " + e.getMessage(), e);
    }
    try {
      check(model, session);
    } catch (RuntimeException | OrtException e) {
      closeQuietly(session);
      if (e instanceof ModelLoadException refused) {
        throw refused;
      }
      throw new ModelLoadException(what(model) + ": cannot read its graph: " + e.getMessage(), e);
    }
    LOG.info("Loaded model {}@{} from {}", model.name(), model.version(), file);
    return session;
  }

  private static void check(Model model, OrtSession session) throws OrtException {
    Map<String, List<ModelInput>> declared = model.tensors();
    Map<String, NodeInfo> graphInputs = session.getInputInfo();
    if (!graphInputs.keySet().equals(declared.keySet())) {
      throw new ModelLoadException(what(model) + ": the ONNX graph's inputs are " + new TreeSet<>(graphInputs.keySet())
          + " but the model declares tensors " + new TreeSet<>(declared.keySet()));
    }
    for (Map.Entry<String, List<ModelInput>> tensor : declared.entrySet()) {
      NodeInfo info = graphInputs.get(tensor.getKey());
      int columns = tensor.getValue().size();
      if (!(info.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT || t.getShape().length != 2
          || (t.getShape()[1] >= 0 && t.getShape()[1] != columns)) {
        throw new ModelLoadException(what(model) + ": ONNX input '" + tensor.getKey() + "' is " + info.getInfo()
            + " but the model feeds it float32 [rows, " + columns + "] (" + columns + " inputs)");
      }
    }
    NodeInfo output = session.getOutputInfo().get(model.scoreOutput());
    if (output == null) {
      throw new ModelLoadException(what(model) + ": score output '" + model.scoreOutput() + "' is not among the"
          + " ONNX graph's outputs " + new TreeSet<>(session.getOutputInfo().keySet()));
    }
    if (!(output.getInfo() instanceof TensorInfo t) || t.type != OnnxJavaType.FLOAT || t.getShape().length > 2
        || (t.getShape().length == 2 && t.getShape()[1] > 1)) {
      throw new ModelLoadException(what(model) + ": score output '" + model.scoreOutput() + "' is "
          + output.getInfo() + " but a score is float32 [rows] or [rows, 1]");
    }
  }

  private static String what(Model model) {
    return ModelLoadException.PREFIX + "'" + model.name() + "' version " + model.version();
  }

  @Override
  public void close() {
    List<CompletableFuture<OrtSession>> all = new ArrayList<>(sessions.values());
    sessions.clear();
    for (CompletableFuture<OrtSession> session : all) {
      if (session.isDone() && !session.isCompletedExceptionally()) {
        closeQuietly(session.join());
      }
    }
  }

  private static void closeQuietly(OrtSession session) {
    try {
      session.close();
    } catch (OrtException e) {
      LOG.warn("Cannot close an ONNX session: {}", e.getMessage());
    }
  }
}
