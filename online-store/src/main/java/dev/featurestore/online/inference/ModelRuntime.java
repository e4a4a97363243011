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
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.error.ModelLoadException;
import java.io.IOException;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ONNX Runtime sessions, one per model version, loaded on first use and checked then: the file's SHA-256 against
 * the definition, the graph's inputs against the declared tensors (names, [rows, columns], an element type of
 * {@link TensorType} that every input of the tensor can feed, defaults that fit it) and its score output (float32 or
 * double, [rows] or [rows, 1]). A failed load is not cached, so a corrected file is picked up by the next call.
 *
 * <p>Sessions of model versions that leave the definitions are closed ({@link #retainDefined}) once their runs
 * end; a run still on the older definitions gets a session of its own, closed after it. Every method blocks (file
 * I/O, native inference): call them from the inference worker pool only. Thread-safe: sessions are shared by
 * concurrent runs, as ONNX Runtime allows. Each run is single-threaded inside ONNX Runtime
 * ({@code threadsPerRun}, no inter-op pool): concurrency comes from the worker pool, sized to the cores.
 */
final class ModelRuntime implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelRuntime.class);

  // Run failures reach the caller as exceptions; ONNX Runtime's own stderr log would only repeat them.
  private final OrtEnvironment environment = OrtEnvironment.getEnvironment(OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL);
  private final Path modelDirectory;
  private final int threadsPerRun;
  private final Map<Model, CompletableFuture<LoadedModel>> sessions = new ConcurrentHashMap<>();
  /** The models of the definitions last retained, or null before the first {@link #retainDefined}. */
  private volatile Set<Model> defined;
  private volatile Definitions retainedFor;

  ModelRuntime(Path modelDirectory, int threadsPerRun) {
    this.modelDirectory = modelDirectory;
    this.threadsPerRun = threadsPerRun;
  }

  /** A run's hold on a loaded model: its session stays open until {@link #close}. */
  final class Lease implements AutoCloseable {
    private final LoadedModel loaded;

    private Lease(LoadedModel loaded) {
      this.loaded = loaded;
    }

    InputLayout layout(Definitions definitions) {
      return loaded.layout(definitions);
    }

    /**
     * Scores every row of {@code inputs} in one run.
     *
     * @return one score per row
     */
    float[] score(ModelInputs inputs) {
      return run(loaded, inputs);
    }

    LoadedModel loaded() {
      return loaded;
    }

    @Override
    public void close() {
      loaded.release();
    }
  }

  /**
   * Holds the model's session for a run, loading it first if needed.
   *
   * @throws ModelLoadException naming the model when it cannot be loaded as defined
   */
  Lease lease(Model model) {
    while (true) {
      Set<Model> current = defined;
      if (current != null && !current.contains(model)) {
        // A request still on definitions that no longer hold this model: a session of its own, closed after it.
        LoadedModel once = load(model);
        once.acquire();
        once.retire();
        return new Lease(once);
      }
      CompletableFuture<LoadedModel> entry = sessions.get(model);
      LoadedModel loaded = entry == null ? loadShared(model) : join(entry);
      if (loaded.acquire()) {
        current = defined;
        if (current != null && !current.contains(model)) {
          // Retained away while this run loaded it: the run goes on and the session closes after it.
          sessions.computeIfPresent(model, (m, shared) -> shared.getNow(null) == loaded ? null : shared);
          loaded.retire();
        }
        return new Lease(loaded);
      }
      // Retired between the lookup and the hold: it has left the map, look again.
    }
  }

  /** Scores every row of {@code inputs} in one run of {@code model}. See {@link #lease}. */
  float[] score(Model model, ModelInputs inputs) {
    try (Lease lease = lease(model)) {
      return lease.score(inputs);
    }
  }

  /**
   * Closes the sessions of model versions the current definitions no longer hold, each once its runs end. Cheap
   * when the definitions are those of the previous call, so it can be called before every run.
   */
  void retainDefined(Supplier<Definitions> definitions) {
    if (definitions.get() == retainedFor) {
      return;
    }
    synchronized (this) {
      // Asked again under the lock: the supplier's latest, so that retains never go back to older definitions.
      Definitions latest = definitions.get();
      if (latest == retainedFor) {
        return;
      }
      retainedFor = latest;
      Set<Model> keep = new HashSet<>(latest.models());
      defined = keep;
      for (Map.Entry<Model, CompletableFuture<LoadedModel>> entry : sessions.entrySet()) {
        if (!keep.contains(entry.getKey()) && sessions.remove(entry.getKey(), entry.getValue())) {
          entry.getValue().thenAccept(LoadedModel::retire);
        }
      }
    }
  }

  /** The model versions whose sessions are open for sharing, for tests and diagnostics. */
  Set<Model> openModels() {
    Set<Model> open = new HashSet<>();
    sessions.forEach((model, entry) -> {
      if (entry.isDone() && !entry.isCompletedExceptionally() && !entry.join().isClosed()) {
        open.add(model);
      }
    });
    return open;
  }

  private float[] run(LoadedModel loaded, ModelInputs inputs) {
    Model model = loaded.model;
    Map<String, OnnxTensor> tensors = new HashMap<>();
    try {
      for (ModelInputs.Tensor tensor : inputs.tensors()) {
        long[] shape = {tensor.rows(), tensor.rows() == 0 ? 0 : tensor.columns()};
        tensors.put(tensor.name(), switch (tensor.type()) {
          case FLOAT -> OnnxTensor.createTensor(environment, (FloatBuffer) tensor.data(), shape);
          case DOUBLE -> OnnxTensor.createTensor(environment, (DoubleBuffer) tensor.data(), shape);
          case INT64 -> OnnxTensor.createTensor(environment, (LongBuffer) tensor.data(), shape);
          case INT32 -> OnnxTensor.createTensor(environment, (IntBuffer) tensor.data(), shape);
        });
      }
      try (OrtSession.Result result = loaded.session.run(tensors)) {
        OnnxValue output = result.get(model.scoreOutput()).orElseThrow();
        return scores(model, (OnnxTensor) output, inputs.rows());
      }
    } catch (OrtException e) {
      throw new IllegalStateException("Cannot run model '" + model.name() + "' version " + model.version() + ": "
          + e.getMessage(), e);
    } finally {
      tensors.values().forEach(OnnxTensor::close);
    }
  }

  private static float[] scores(Model model, OnnxTensor output, int rows) {
    float[] out = new float[rows];
    if (output.getInfo().type == OnnxJavaType.DOUBLE) {
      DoubleBuffer scores = output.getDoubleBuffer();
      checkCount(model, scores.remaining(), rows);
      for (int r = 0; r < rows; r++) {
        out[r] = (float) scores.get(r);
      }
    } else {
      FloatBuffer scores = output.getFloatBuffer();
      checkCount(model, scores.remaining(), rows);
      scores.get(out);
    }
    return out;
  }

  private static void checkCount(Model model, int values, int rows) {
    if (values != rows) {
      throw new ModelLoadException(what(model) + ": output '" + model.scoreOutput() + "' holds " + values
          + " values for " + rows + " rows");
    }
  }

  /** Loads the session into the shared map, or waits for the thread already loading it. */
  private LoadedModel loadShared(Model model) {
    CompletableFuture<LoadedModel> mine = new CompletableFuture<>();
    CompletableFuture<LoadedModel> existing = sessions.putIfAbsent(model, mine);
    if (existing != null) {
      return join(existing);
    }
    try {
      LoadedModel loaded = load(model);
      mine.complete(loaded);
      return loaded;
    } catch (RuntimeException e) {
      sessions.remove(model, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private static LoadedModel join(CompletableFuture<LoadedModel> loading) {
    try {
      return loading.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
  }

  private LoadedModel load(Model model) {
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
      // One thread per run and no inter-op pool: runs are small, and parallelism comes from the worker pool, so
      // ONNX Runtime's own pools would only contend with it (and spin) on a few cores.
      options.setIntraOpNumThreads(threadsPerRun);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.addConfigEntry("session.intra_op.allow_spinning", "0");
      session = environment.createSession(bytes, options);
    } catch (OrtException e) {
      throw new ModelLoadException(what(model) + ": ONNX Runtime refuses file " + file + ": " + e.getMessage(), e);
    }
    Map<String, TensorType> types;
    try {
      types = check(model, session);
    } catch (RuntimeException | OrtException e) {
      closeQuietly(session);
      if (e instanceof ModelLoadException refused) {
        throw refused;
      }
      throw new ModelLoadException(what(model) + ": cannot read its graph: " + e.getMessage(), e);
    }
    LOG.info("Loaded model {}@{} from {}", model.name(), model.version(), file);
    return new LoadedModel(model, session, types);
  }

  /** Checks the graph against the definition; returns the element type of each input tensor. */
  private static Map<String, TensorType> check(Model model, OrtSession session) throws OrtException {
    Map<String, List<ModelInput>> declared = model.tensors();
    Map<String, NodeInfo> graphInputs = session.getInputInfo();
    if (!graphInputs.keySet().equals(declared.keySet())) {
      throw new ModelLoadException(what(model) + ": the ONNX graph's inputs are " + new TreeSet<>(graphInputs.keySet())
          + " but the model declares tensors " + new TreeSet<>(declared.keySet()));
    }
    Map<String, TensorType> types = new HashMap<>();
    for (Map.Entry<String, List<ModelInput>> tensor : declared.entrySet()) {
      NodeInfo info = graphInputs.get(tensor.getKey());
      int columns = tensor.getValue().size();
      TensorType type = info.getInfo() instanceof TensorInfo t ? TensorType.of(t.type).orElse(null) : null;
      if (type == null) {
        throw new ModelLoadException(what(model) + ": ONNX input '" + tensor.getKey() + "' is " + info.getInfo()
            + " but the model feeds it " + TensorType.supported() + " [rows, " + columns + "]");
      }
      long[] shape = ((TensorInfo) info.getInfo()).getShape();
      if (shape.length != 2 || (shape[1] >= 0 && shape[1] != columns)) {
        throw new ModelLoadException(what(model) + ": ONNX input '" + tensor.getKey() + "' is " + info.getInfo()
            + " but the model feeds it " + type + " [rows, " + columns + "] (" + columns + " inputs)");
      }
      for (ModelInput input : tensor.getValue()) {
        if (!type.accepts(input.type())) {
          throw new ModelLoadException(what(model) + ": input '" + input.feature() + "' is " + input.type()
              + " but ONNX input '" + tensor.getKey() + "' holds " + type + "; declare the tensor as float32 or"
              + " double in the graph, or feed it integer features only");
        }
        if (!type.acceptsDefault(input.defaultValue())) {
          throw new ModelLoadException(what(model) + ": input '" + input.feature() + "' has default "
              + input.defaultValue() + ", which ONNX input '" + tensor.getKey() + "' of " + type + " cannot hold");
        }
      }
      types.put(tensor.getKey(), type);
    }
    NodeInfo output = session.getOutputInfo().get(model.scoreOutput());
    if (output == null) {
      throw new ModelLoadException(what(model) + ": score output '" + model.scoreOutput() + "' is not among the"
          + " ONNX graph's outputs " + new TreeSet<>(session.getOutputInfo().keySet()));
    }
    if (!(output.getInfo() instanceof TensorInfo t) || (t.type != OnnxJavaType.FLOAT && t.type != OnnxJavaType.DOUBLE)
        || t.getShape().length > 2 || (t.getShape().length == 2 && t.getShape()[1] > 1)) {
      throw new ModelLoadException(what(model) + ": score output '" + model.scoreOutput() + "' is "
          + output.getInfo() + " but a score is float32 or double [rows] or [rows, 1]");
    }
    return types;
  }

  private static String what(Model model) {
    return ModelLoadException.PREFIX + "'" + model.name() + "' version " + model.version();
  }

  /** Retires every session: each closes now, or when its last run ends. */
  @Override
  public void close() {
    List<CompletableFuture<LoadedModel>> all = new ArrayList<>(sessions.values());
    sessions.clear();
    for (CompletableFuture<LoadedModel> loading : all) {
      loading.thenAccept(LoadedModel::retire);
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
