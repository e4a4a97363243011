package dev.featurestore.online.server;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.PushLog;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.PushResponse;
import dev.featurestore.proto.v1.PushRow;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Serves Push: validates every row of the request before writing any, so a bad row writes nothing; then appends the
 * rows to the push log and, once they are durable there, writes them online. The response is sent only when both
 * are done. Logging first means a value readable online is never one that a crash could lose; a failed online
 * write after a durable append fails the push, and its retry is harmless (event-time-wins online, the same values
 * offline).
 */
final class PushWriter {
  /**
   * How far in the future a pushed row's event timestamp may be: clock skew between the writer and the server.
   * Further out is refused, because the online value must equal the point-in-time join at now, which cannot see a
   * row from the future, and an event-time-wins store would keep that row over every real update until then.
   */
  static final Duration MAX_CLOCK_SKEW = Duration.ofMinutes(5);
  private static final long MAX_CLOCK_SKEW_MICROS = MAX_CLOCK_SKEW.toNanos() / 1_000;
  private final Supplier<Definitions> definitions;
  private final OnlineStore store;
  private final PushLog log;
  private final Clock clock;
  private final ServingMetrics metrics;

  PushWriter(Supplier<Definitions> definitions, OnlineStore store, PushLog log, Clock clock, ServingMetrics metrics) {
    this.definitions = definitions;
    this.store = store;
    this.log = log;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Validates synchronously (throwing feature store exceptions), then appends to the log and writes on the store,
   * completing on context.
   */
  Future<PushResponse> push(PushRequest request, Context context) {
    Definitions current = definitions.get();
    FeatureView view = current.requireView(request.getFeatureView());
    if (request.getRowsCount() == 0) {
      throw new InvalidRequestException("Cannot push to view '" + view.name() + "': the request has no rows");
    }
    List<JoinKey> joinKeys = current.joinKeys(view);
    Set<String> keyNames = new HashSet<>();
    joinKeys.forEach(key -> keyNames.add(key.name()));
    long now = ProtoKeys.micros(clock);
    List<FeatureRow> rows = new ArrayList<>(request.getRowsCount());
    for (int i = 0; i < request.getRowsCount(); i++) {
      rows.add(parse(view, joinKeys, keyNames, request.getRows(i), i, now));
    }
    List<FeatureRow> validated = List.copyOf(rows);
    return Future.fromCompletionStage(log.append(view, validated), context)
        .compose(durable -> Future.fromCompletionStage(store.write(view, validated), context))
        .map(done -> {
          metrics.pushed(view.name(), rows.size());
          return PushResponse.newBuilder().setRowsWritten(rows.size()).build();
        });
  }

  private static FeatureRow parse(
      FeatureView view, List<JoinKey> joinKeys, Set<String> keyNames, PushRow row, int index, long now) {
    String where = "push row " + index + " of view '" + view.name() + "'";
    for (String name : row.getKeysMap().keySet()) {
      if (!keyNames.contains(name)) {
        throw new InvalidRequestException("Cannot read " + where + ": '" + name + "' is not a join key of the view");
      }
    }
    EntityKey key = ProtoKeys.entityKey(joinKeys, row.getKeysMap(), () -> where);
    if (row.getEventTimestamp() <= 0) {
      throw new InvalidRequestException(
          "Cannot read " + where + ": event_timestamp must be positive UTC microseconds but is "
              + row.getEventTimestamp());
    }
    if (row.getEventTimestamp() > now + MAX_CLOCK_SKEW_MICROS) {
      throw new InvalidRequestException(
          "Cannot read " + where + ": event_timestamp " + row.getEventTimestamp() + " ("
              + Instant.EPOCH.plus(row.getEventTimestamp(), ChronoUnit.MICROS) + ") is more than "
              + MAX_CLOCK_SKEW + " after the server's clock; a value that becomes true later is pushed then");
    }
    if (row.getCreatedTimestamp() < 0) {
      throw new InvalidRequestException(
          "Cannot read " + where + ": created_timestamp must be UTC microseconds or 0 but is "
              + row.getCreatedTimestamp());
    }
    Map<String, Object> values = new HashMap<>(row.getFeaturesCount() * 2);
    for (Map.Entry<String, Value> entry : row.getFeaturesMap().entrySet()) {
      Feature feature = view.feature(entry.getKey())
          .orElseThrow(() -> new InvalidRequestException(
              "Cannot read " + where + ": feature '" + entry.getKey() + "' is not a feature of the view"));
      try {
        Object value = ProtoValues.fromProto(entry.getValue(), feature.type(), feature.name());
        if (value != null) {
          values.put(feature.name(), value);
        }
      } catch (InvalidRequestException e) {
        throw new InvalidRequestException(
            "Cannot read " + where + ": feature '" + feature.name() + "' must be " + feature.type() + " but is "
                + ProtoValues.typeOf(entry.getValue()), e);
      }
    }
    long created = row.getCreatedTimestamp() == 0 ? now : row.getCreatedTimestamp();
    return new FeatureRow(key, row.getEventTimestamp(), created, values);
  }
}
