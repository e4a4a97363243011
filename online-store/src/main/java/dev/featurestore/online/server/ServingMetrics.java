package dev.featurestore.online.server;

import dev.featurestore.api.error.GrpcErrors;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.grpc.common.GrpcStatus;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The online server's meters, shared by all its verticle instances (Micrometer meters are thread-safe). Names as
 * Prometheus shows them at {@code GET /metrics}:
 *
 * <ul>
 *   <li>{@code fstore_online_requests_seconds} (histogram): each call's server time, from the decoded request (for
 *       HTTP/JSON, the read body) to the answer handed to the transport, tagged {@code call} (get_online_features,
 *       push, predict), {@code protocol} (grpc, http) and {@code status} (the gRPC status name, OK on success);
 *   <li>{@code fstore_online_read_phase_seconds}: the two phases of a successful GetOnlineFeatures, {@code phase}
 *       store (from issuing the reads of every view, concurrently, to the last answer, decoded) and encode (writing
 *       the response); what a request's time holds beyond them is parsing the request and finding its keys;
 *   <li>{@code fstore_online_entity_rows}: entity rows per GetOnlineFeatures request;
 *   <li>{@code fstore_online_pushed_rows_total}: rows written by acknowledged pushes, tagged {@code view}.
 * </ul>
 *
 * <p>The meters of successful calls are created up front, so the hot path records into a field: no tag lookup, no
 * allocation. Failures, rare by nature, look their timer up by tags.
 */
final class ServingMetrics {
  /** A served call, as its {@code call} tag names it. */
  enum Call {
    GET_ONLINE_FEATURES, PUSH, PREDICT;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  /** How a call reached the server, as its {@code protocol} tag names it. */
  enum Protocol {
    GRPC, HTTP;

    final String tag = name().toLowerCase(Locale.ROOT);
  }

  static final String REQUESTS = "fstore.online.requests";
  static final String READ_PHASE = "fstore.online.read.phase";
  static final String ENTITY_ROWS = "fstore.online.entity.rows";
  static final String PUSHED_ROWS = "fstore.online.pushed.rows";

  private final MeterRegistry registry;
  /** The OK timer of each call and protocol, indexed by their ordinals. */
  private final Timer[][] succeeded;
  private final Timer storePhase;
  private final Timer encodePhase;
  private final DistributionSummary entityRows;

  ServingMetrics(MeterRegistry registry) {
    this.registry = registry;
    succeeded = new Timer[Call.values().length][Protocol.values().length];
    for (Call call : Call.values()) {
      for (Protocol protocol : Protocol.values()) {
        succeeded[call.ordinal()][protocol.ordinal()] = requests(call, protocol, GrpcStatus.OK);
      }
    }
    storePhase = phase("store");
    encodePhase = phase("encode");
    entityRows = DistributionSummary.builder(ENTITY_ROWS)
        .description("Entity rows per GetOnlineFeatures request")
        .register(registry);
  }

  /**
   * Records {@code result}'s server time, counted from {@code startNanos} ({@link System#nanoTime()}), once it
   * completes; returns it unchanged.
   */
  <T> Future<T> timed(Call call, Protocol protocol, long startNanos, Future<T> result) {
    return result.andThen(done -> {
      long elapsed = System.nanoTime() - startNanos;
      Timer timer = done.succeeded()
          ? succeeded[call.ordinal()][protocol.ordinal()]
          : requests(call, protocol, GrpcErrors.toStatus(done.cause()).status());
      timer.record(elapsed, TimeUnit.NANOSECONDS);
    });
  }

  /** The phases of one successful GetOnlineFeatures of {@code entities} rows. */
  void read(int entities, long storeNanos, long encodeNanos) {
    entityRows.record(entities);
    storePhase.record(storeNanos, TimeUnit.NANOSECONDS);
    encodePhase.record(encodeNanos, TimeUnit.NANOSECONDS);
  }

  /** {@code rows} rows of {@code view} written by an acknowledged push. */
  void pushed(String view, int rows) {
    Counter.builder(PUSHED_ROWS).description("Rows written by acknowledged pushes").tag("view", view)
        .register(registry).increment(rows);
  }

  private Timer requests(Call call, Protocol protocol, GrpcStatus status) {
    return Timer.builder(REQUESTS)
        .description("Server time of each call, from the decoded request to the answer handed to the transport")
        .tag("call", call.tag).tag("protocol", protocol.tag).tag("status", status.name())
        .publishPercentileHistogram()
        // The buckets span what a call can take: a hot-tier hit to a timed-out store.
        .minimumExpectedValue(Duration.ofNanos(50_000))
        .maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  private Timer phase(String phase) {
    return Timer.builder(READ_PHASE)
        .description("Phases of a successful GetOnlineFeatures: store (reading every view) and encode")
        .tag("phase", phase)
        .register(registry);
  }
}
