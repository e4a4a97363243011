package dev.featurestore.online.inference;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Experiment;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.api.definition.ModelVersion;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionLog;
import dev.featurestore.online.spi.Projection;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.ModelRef;
import dev.featurestore.proto.v1.Prediction;
import dev.featurestore.proto.v1.PredictRequest;
import dev.featurestore.proto.v1.PredictResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in inference endpoint: fetches a model's features from the online store, scores them with ONNX Runtime
 * and answers the scores, with A/B experiments, shadow models and a prediction log.
 *
 * <p>A request names a model (version 0: its highest defined version) or an experiment, and entity rows; keys
 * shared by every row (the user of a ranking request) may be sent once. Each view the model reads is read once for
 * the distinct keys of all rows, through {@link OnlineStore#read}. A feature without a value (no row, older than the
 * view's TTL, null) gets the model's default and is reported per row. All rows are scored in one ONNX run on a
 * bounded worker pool, never on the event loop; a full queue fails the call with {@link UnavailableException}.
 *
 * <p>With an experiment, the unit key's value (the same in every row; one unit per request) picks the variant by a
 * hash of the experiment's salt and the unit, identically on every node. Its shadow models are scored after the
 * answer is complete, on the same fetched rows; their scores only go to the log, and their failures are logged as
 * warnings and never reach the answer. Then the call's {@link PredictionBatch} is offered to the
 * {@link PredictionLog} (which never blocks).
 *
 * <p>Each input tensor is filled in the element type the model's graph declares, in a direct buffer its worker
 * reuses; a model version that leaves the definitions has its ONNX session closed once the runs using it end.
 *
 * <p>Thread-safe. {@link #predict} is called on a Vert.x context and completes there. The predictor owns its
 * worker pool and the ONNX sessions ({@link #close}), not the store or the log.
 */
public final class Predictor implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Predictor.class);

  private final Supplier<Definitions> definitions;
  private final OnlineStore store;
  private final PredictionLog log;
  private final Clock clock;
  private final ThreadPoolExecutor workers;
  private final ModelRuntime runtime;
  private final Map<ModelVersion, Long> shadowWarnings = new ConcurrentHashMap<>();
  private volatile Derived derived;

  private Predictor(Builder config) {
    this.definitions = config.definitions;
    this.store = config.store;
    this.log = config.predictionLog;
    this.clock = config.clock;
    AtomicInteger threads = new AtomicInteger();
    this.workers = new ThreadPoolExecutor(config.workers, config.workers, 0, TimeUnit.SECONDS,
        new ArrayBlockingQueue<>(config.queueCapacity), run -> {
          Thread thread = new Thread(run, "fstore-inference-" + threads.incrementAndGet());
          thread.setDaemon(true);
          return thread;
        });
    this.runtime = new ModelRuntime(config.modelDirectory, 1);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Answers one predict request. Validation failures are thrown or returned as a failed future: unknown model or
   * experiment {@link dev.featurestore.api.error.NotFoundException}, malformed rows
   * {@link InvalidRequestException}, a model that cannot be loaded as defined
   * {@link dev.featurestore.api.error.ModelLoadException}, store failures and a full worker queue
   * {@link UnavailableException}.
   *
   * @throws IllegalStateException when not called on a Vert.x context
   */
  public Future<PredictResponse> predict(PredictRequest request) {
    Context context = Vertx.currentContext();
    if (context == null) {
      throw new IllegalStateException("Cannot predict: call on a Vert.x context");
    }
    Definitions current = definitions.get();
    if (request.getEntitiesCount() == 0) {
      throw new InvalidRequestException("Cannot predict: the request has no entity rows");
    }
    Derived derived = derived(current);
    Target target = target(derived, request);
    Reads reads = derived.reads(target);
    RequestKeys keys = RequestKeys.parse(request.getEntitiesList(), request.getShared(), reads.joinKeys());
    String requestId = request.getRequestId().isEmpty() ? requestId() : request.getRequestId();
    CompletableFuture<PredictResponse> answer = new CompletableFuture<>();
    FeatureFetch.read(store, current, reads.projections(), keys).whenComplete((rows, failure) -> {
      if (failure != null) {
        answer.completeExceptionally(failure);
        return;
      }
      try {
        workers.execute(() -> score(current, request, requestId, target, keys, rows, answer));
      } catch (RejectedExecutionException e) {
        answer.completeExceptionally(new UnavailableException("Cannot predict: all " + workers.getMaximumPoolSize()
            + " inference workers are busy and " + workers.getQueue().size() + " calls wait; retry", e));
      }
    });
    return Future.fromCompletionStage(answer, context);
  }

  /**
   * A random (version 4) UUID from the thread's generator: request ids must be unique, not unguessable, and
   * {@link UUID#randomUUID} takes a lock around the platform's secure generator on every call.
   */
  static String requestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low).toString();
  }

  private Derived derived(Definitions current) {
    Derived known = derived;
    if (known == null || known.definitions != current) {
      known = new Derived(current);
      derived = known;
    }
    return known;
  }

  /** The answering model and the shadows, from the model or experiment the request names. */
  private static Target target(Derived derived, PredictRequest request) {
    Definitions definitions = derived.definitions;
    return switch (request.getTargetCase()) {
      case MODEL -> {
        if (request.getModel().getName().isEmpty()) {
          throw new InvalidRequestException("Cannot predict: model.name is empty");
        }
        yield derived.modelTargets.computeIfAbsent(request.getModel(), ref -> new Target(
            definitions.requireModel(ref.getName(), ref.getVersion()), null, null, null, List.of()));
      }
      case EXPERIMENT -> {
        Experiment experiment = definitions.requireExperiment(request.getExperiment());
        String unit = unit(definitions, experiment, request);
        Experiment.Variant variant = Assignment.variant(experiment, unit);
        List<Model> shadows = experiment.shadows().stream()
            .map(id -> definitions.requireModel(id.name(), id.version()))
            .toList();
        yield new Target(definitions.requireModel(variant.model().name(), variant.model().version()),
            experiment.name(), variant.name(), unit, shadows);
      }
      case TARGET_NOT_SET -> throw new InvalidRequestException(
          "Cannot predict: the request names neither a model nor an experiment");
    };
  }

  /** The unit's text: the unit key's value, which every row must share. */
  private static String unit(Definitions definitions, Experiment experiment, PredictRequest request) {
    Model first = definitions.requireModel(experiment.variants().get(0).model().name(),
        experiment.variants().get(0).model().version());
    JoinKey unitKey = FeatureFetch.joinKeys(definitions, FeatureFetch.views(definitions, List.of(first)))
        .get(experiment.unitKey());
    if (unitKey == null) {
      // Definitions only guarantee the unit key is a key of the service; the first variant may read fewer views.
      unitKey = definitions.entities().stream().flatMap(e -> e.joinKeys().stream())
          .filter(k -> k.name().equals(experiment.unitKey())).findFirst().orElseThrow();
    }
    RequestKeys units = RequestKeys.parse(request.getEntitiesList(), request.getShared(), List.of(unitKey));
    String unit = Assignment.unitText(units.value(0, unitKey.name()));
    for (int row = 1; row < units.size(); row++) {
      String other = Assignment.unitText(units.value(row, unitKey.name()));
      if (!other.equals(unit)) {
        throw new InvalidRequestException("Cannot predict with experiment '" + experiment.name() + "': entity rows 0"
            + " and " + row + " have different values of unit key '" + unitKey.name() + "' ('" + unit + "' and '"
            + other + "'); send one unit per request, for example in the shared keys");
      }
    }
    return unit;
  }

  /** On a worker: scores, completes the answer, then scores the shadows and offers the log batch. */
  private void score(Definitions definitions, PredictRequest request, String requestId, Target target,
      RequestKeys keys, Map<String, List<FeatureRow>> rows, CompletableFuture<PredictResponse> answer) {
    long now = micros(clock.instant());
    ModelInputs inputs;
    InputLayout layout;
    float[] scores;
    PredictResponse response;
    try {
      runtime.retainDefined(this.definitions);
      try (ModelRuntime.Lease lease = runtime.lease(target.model)) {
        layout = lease.layout(definitions);
        inputs = ModelInputs.of(layout, rows, now);
        scores = lease.score(inputs);
      }
      response = response(request, requestId, target, layout, inputs, scores);
    } catch (RuntimeException e) {
      answer.completeExceptionally(e);
      return;
    }
    answer.complete(response);
    // The answer is on its way: what follows costs the worker, never the caller's latency.
    List<Map<String, Double>> shadowScores = shadowScores(definitions, target, rows, now, scores.length);
    if (log == DiscardingLog.INSTANCE) {
      return;
    }
    try {
      if (!log.offer(batch(requestId, now, target, keys, layout, inputs, scores, shadowScores))) {
        LOG.debug("Prediction log full: dropped the batch of request {}", requestId);
      }
    } catch (RuntimeException e) {
      LOG.warn("Cannot log predictions of request {}: {}", requestId, e.getMessage());
    }
  }

  /** Per row, the score of each shadow that succeeded, by {@code model@version}; no shadows, the same empty map. */
  private List<Map<String, Double>> shadowScores(
      Definitions definitions, Target target, Map<String, List<FeatureRow>> rows, long now, int count) {
    if (target.shadows.isEmpty()) {
      return java.util.Collections.nCopies(count, Map.of());
    }
    List<Map<String, Double>> shadowScores = new ArrayList<>(count);
    for (int r = 0; r < count; r++) {
      shadowScores.add(new HashMap<>());
    }
    for (Model shadow : target.shadows) {
      try (ModelRuntime.Lease lease = runtime.lease(shadow)) {
        float[] scored = lease.score(ModelInputs.of(lease.layout(definitions), rows, now));
        String id = shadow.id().toString();
        for (int r = 0; r < scored.length; r++) {
          shadowScores.get(r).put(id, (double) scored[r]);
        }
      } catch (RuntimeException e) {
        shadowFailed(shadow, target.experiment, e);
      }
    }
    return shadowScores;
  }

  /** Warns at most once a minute per shadow model: a broken shadow fails every request of its experiment. */
  private void shadowFailed(Model shadow, String experiment, RuntimeException failure) {
    long now = System.nanoTime();
    Long last = shadowWarnings.get(shadow.id());
    if (last == null || now - last > TimeUnit.MINUTES.toNanos(1)) {
      shadowWarnings.put(shadow.id(), now);
      LOG.warn("Cannot score shadow model {} of experiment '{}' (answers are unaffected; next warning in a minute at"
          + " the earliest): {}", shadow.id(), experiment, failure.getMessage());
    }
  }

  private static PredictResponse response(PredictRequest request, String requestId, Target target,
      InputLayout layout, ModelInputs inputs, float[] scores) {
    PredictResponse.Builder response = PredictResponse.newBuilder()
        .setRequestId(requestId)
        .setModel(target.model.name())
        .setModelVersion(target.model.version());
    if (target.experiment != null) {
      response.setExperiment(target.experiment).setVariant(target.variant);
    }
    boolean features = request.getIncludeFeatures();
    if (features) {
      response.addAllFeatureNames(layout.names);
    }
    List<ModelInput> modelInputs = target.model.inputs();
    Object[] fed = inputs.fed();
    int width = inputs.inputs();
    for (int r = 0; r < scores.length; r++) {
      Prediction.Builder prediction = Prediction.newBuilder().setScore(scores[r]);
      List<String> defaulted = inputs.defaulted().get(r);
      if (!defaulted.isEmpty()) {
        prediction.addAllDefaulted(defaulted);
      }
      if (features) {
        for (int i = 0; i < width; i++) {
          prediction.addFeatures(ProtoValues.toProto(fed[r * width + i], modelInputs.get(i).type()));
        }
      }
      response.addPredictions(prediction);
    }
    return response.build();
  }

  private static PredictionBatch batch(String requestId, long now, Target target, RequestKeys keys,
      InputLayout layout, ModelInputs inputs, float[] scores, List<Map<String, Double>> shadowScores) {
    List<PredictionBatch.Column> keyColumns = layout.keyColumns;
    List<PredictionBatch.PredictionRow> rows = new ArrayList<>(inputs.rows());
    for (int r = 0; r < inputs.rows(); r++) {
      List<Object> keyValues = new ArrayList<>(keyColumns.size());
      for (PredictionBatch.Column key : keyColumns) {
        keyValues.add(keys.value(r, key.name()));
      }
      rows.add(new PredictionBatch.PredictionRow(target.unit, keyValues, inputs.fed(r),
          inputs.defaulted().get(r), scores[r], shadowScores.get(r)));
    }
    return new PredictionBatch(requestId, now, target.model.name(), target.model.version(), target.experiment,
        target.variant, keyColumns, layout.featureColumns, rows);
  }

  /** The model versions whose ONNX sessions are open, for tests and diagnostics. */
  Set<ModelVersion> openModels() {
    Set<ModelVersion> open = new HashSet<>();
    runtime.openModels().forEach(model -> open.add(model.id()));
    return open;
  }

  private static long micros(Instant now) {
    return Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000);
  }

  /** Stops the workers (waiting up to 10 seconds for running calls) and releases the ONNX sessions. Blocks. */
  @Override
  public void close() {
    workers.shutdown();
    try {
      if (!workers.awaitTermination(10, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    }
    runtime.close();
  }

  /** What answers a request: the model, and with an experiment its name, the unit's variant and the shadows. */
  private record Target(Model model, String experiment, String variant, String unit, List<Model> shadows) {}

  /** What a request's models read of each view, and the views' join keys, each once in first-use order. */
  private record Reads(List<Projection> projections, List<JoinKey> joinKeys) {}

  /**
   * What requests work out from the definitions alone, kept until the definitions change: the model a request
   * names directly, and the reads of each set of models. Only lookups that succeeded are kept, so the maps hold at
   * most the defined models and experiment variants.
   */
  private static final class Derived {
    final Definitions definitions;
    final Map<ModelRef, Target> modelTargets = new ConcurrentHashMap<>();
    final Map<List<ModelVersion>, Reads> reads = new ConcurrentHashMap<>();

    Derived(Definitions definitions) {
      this.definitions = definitions;
    }

    Reads reads(Target target) {
      List<ModelVersion> ids = new ArrayList<>(target.shadows.size() + 1);
      ids.add(target.model.id());
      target.shadows.forEach(shadow -> ids.add(shadow.id()));
      return reads.computeIfAbsent(ids, key -> {
        List<Model> models = new ArrayList<>(target.shadows.size() + 1);
        models.add(target.model);
        models.addAll(target.shadows);
        List<FeatureView> views = FeatureFetch.views(definitions, models);
        return new Reads(FeatureFetch.projections(definitions, models),
            List.copyOf(FeatureFetch.joinKeys(definitions, views).values()));
      });
    }
  }

  /**
   * Configures a {@link Predictor}; {@link #definitions} and {@link #store} are required. Not thread-safe;
   * {@link #build()} copies what it needs.
   */
  public static final class Builder {
    private Supplier<Definitions> definitions;
    private OnlineStore store;
    private PredictionLog predictionLog = DiscardingLog.INSTANCE;
    private Path modelDirectory = Path.of(".");
    private int workers = Math.max(1, Runtime.getRuntime().availableProcessors());
    private int queueCapacity = 1024;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /** The current definitions; called once per request, so it must be cheap and thread-safe. */
    public Builder definitions(Supplier<Definitions> definitions) {
      this.definitions = Objects.requireNonNull(definitions, "definitions");
      return this;
    }

    /** Where features are read; not closed by the predictor. */
    public Builder store(OnlineStore store) {
      this.store = Objects.requireNonNull(store, "store");
      return this;
    }

    /** Where every answered call is offered; not closed by the predictor. Default: nothing is logged. */
    public Builder predictionLog(PredictionLog predictionLog) {
      this.predictionLog = Objects.requireNonNull(predictionLog, "predictionLog");
      return this;
    }

    /** The directory relative model artifact paths are resolved against; default the working directory. */
    public Builder modelDirectory(Path modelDirectory) {
      this.modelDirectory = Objects.requireNonNull(modelDirectory, "modelDirectory");
      return this;
    }

    /** Threads that run ONNX (each run single-threaded); default the number of processors. */
    public Builder workers(int workers) {
      if (workers < 1) {
        throw new IllegalArgumentException("Cannot use " + workers + " inference workers: expected at least 1");
      }
      this.workers = workers;
      return this;
    }

    /** Calls that may wait for a worker before further calls fail with UNAVAILABLE; default 1024. */
    public Builder queueCapacity(int queueCapacity) {
      if (queueCapacity < 1) {
        throw new IllegalArgumentException("Cannot use an inference queue of " + queueCapacity + ": expected at"
            + " least 1");
      }
      this.queueCapacity = queueCapacity;
      return this;
    }

    /** The clock of TTL checks and of logged prediction times; default the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** @throws IllegalStateException when definitions or store is missing */
    public Predictor build() {
      if (definitions == null || store == null) {
        throw new IllegalStateException(
            "Cannot build the predictor: " + (definitions == null ? "definitions" : "store") + " is not set");
      }
      return new Predictor(this);
    }
  }

  /** The default log: accepts and forgets. */
  private enum DiscardingLog implements PredictionLog {
    INSTANCE;

    @Override
    public boolean offer(PredictionBatch batch) {
      return true;
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  }
}
