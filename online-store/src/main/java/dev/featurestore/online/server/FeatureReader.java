package dev.featurestore.online.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureNaming;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureSelection;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.Projection;
import dev.featurestore.online.spi.RowColumns;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Serves GetOnlineFeatures: resolves the selection, reads every selected view once, classifies each value. */
final class FeatureReader {
  /**
   * Selections kept per definitions: model servers send the same few feature lists over and over, and resolving
   * one (parsing and looking up every reference) cost more CPU than reading its values from Redis (profile of the
   * 1 x 50 benchmark shape: 13% of the server's samples).
   */
  private static final int CACHED_SELECTIONS = 1024;

  private final Supplier<Definitions> definitions;
  private final OnlineStore store;
  private final Clock clock;
  private final ServingMetrics metrics;
  /** The selections resolved under the definitions they hold; replaced as a whole when the definitions change. */
  private volatile Selections selections = new Selections(null);

  FeatureReader(Supplier<Definitions> definitions, OnlineStore store, Clock clock, ServingMetrics metrics) {
    this.definitions = definitions;
    this.store = store;
    this.clock = clock;
    this.metrics = metrics;
  }

  /**
   * Validates synchronously (throwing feature store exceptions), then reads on the store, completing on context
   * with the response's protobuf bytes ({@link ResponseEncoder}).
   */
  Future<byte[]> read(OnlineRequest request, Context context) {
    if (request.entities().count() == 0) {
      throw new InvalidRequestException("Cannot get online features: the request has no entity rows");
    }
    Resolved resolved = cachedSelect(definitions.get(), request);
    FeatureSelection selection = resolved.selection;
    List<ViewRead> reads = new ArrayList<>(resolved.projections.size());
    for (Projection projection : resolved.projections) {
      FeatureView view = projection.view();
      reads.add(keysOf(projection, selection.joinKeys().get(view.name()), request.entities()));
    }
    long readStart = System.nanoTime();
    List<Future<RowColumns>> futures = new ArrayList<>(reads.size());
    for (ViewRead read : reads) {
      // The views are read concurrently. A store on this event loop completes here; others come back to context.
      futures.add(Future.fromCompletionStage(store.readColumns(read.projection, read.uniqueKeys), context));
    }
    return Future.all(futures).map(done -> {
      long encodeStart = System.nanoTime();
      long now = ProtoKeys.micros(clock);
      List<RowColumns> readByView = new ArrayList<>(reads.size());
      List<ResponseEncoder.ViewLayout> layouts = new ArrayList<>(reads.size());
      for (int v = 0; v < reads.size(); v++) {
        ViewRead read = reads.get(v);
        readByView.add(futures.get(v).result());
        layouts.add(ResponseEncoder.ViewLayout.of(read.entityToKey, read.uniqueKeys.size(), request.distinctKeys()));
      }
      byte[] encoded = ResponseEncoder.encode(selection, readByView, layouts, request.entities().count(), now);
      metrics.read(request.entities().count(), encodeStart - readStart, System.nanoTime() - encodeStart);
      return encoded;
    });
  }

  /**
   * {@link #select} and the features it needs of each view, answered from the cache when the same selection was
   * resolved under the same definitions.
   */
  private Resolved cachedSelect(Definitions current, OnlineRequest request) {
    Selections cached = selections;
    if (cached.definitions != current) {
      cached = new Selections(current);
      selections = cached;
    }
    SelectionKey key = new SelectionKey(request.fullFeatureNames(), request.selection(), request.featureService(),
        request.features());
    // A selection that fails throws out of get and is not cached, so the error is raised again the next time.
    return cached.byRequest.get(key, ignored -> Resolved.of(select(current, request)));
  }

  /** A resolved selection and, parallel to its views (in first-use order), the features read of each. */
  private record Resolved(FeatureSelection selection, List<Projection> projections) {
    static Resolved of(FeatureSelection selection) {
      List<Projection> projections = new ArrayList<>();
      for (FeatureView view : selection.views()) {
        List<String> features = new ArrayList<>();
        for (FeatureSelection.Column column : selection.columnsOf(view.name())) {
          features.add(column.feature().name());
        }
        projections.add(Projection.of(view, features));
      }
      return new Resolved(selection, List.copyOf(projections));
    }
  }

  private record SelectionKey(
      boolean fullNames, GetOnlineFeaturesRequest.SelectionCase kind, String service, List<String> features) {}

  /** Resolved selections, valid for {@code definitions} only. */
  private static final class Selections {
    final Definitions definitions;
    final Cache<SelectionKey, Resolved> byRequest = Caffeine.newBuilder()
        .maximumSize(CACHED_SELECTIONS)
        .executor(Runnable::run) // evict on the calling thread rather than hand off to the common pool
        .build();

    Selections(Definitions definitions) {
      this.definitions = definitions;
    }
  }

  private static FeatureSelection select(Definitions definitions, OnlineRequest request) {
    FeatureNaming naming = request.fullFeatureNames() ? FeatureNaming.FULL : FeatureNaming.SHORT;
    return switch (request.selection()) {
      case FEATURES -> {
        List<FeatureRef> refs = new ArrayList<>(request.features().size());
        for (String text : request.features()) {
          refs.add(parseRef(text));
        }
        yield definitions.select(refs, naming);
      }
      case FEATURE_SERVICE -> definitions.selectService(request.featureService(), naming);
      case SELECTION_NOT_SET -> throw new InvalidRequestException(
          "Cannot get online features: the request names neither features nor a feature service");
    };
  }

  private static FeatureRef parseRef(String text) {
    try {
      return FeatureRef.parse(text);
    } catch (InvalidRequestException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new InvalidRequestException(
          "Cannot parse feature reference '" + text + "': expected 'view:feature' or 'view:*'", e);
    }
  }

  /** The distinct keys of one view over all entity rows, and for each row the index of its key. */
  private static ViewRead keysOf(Projection projection, List<JoinKey> joinKeys, OnlineRequest.EntityRows entities) {
    Map<EntityKey, Integer> unique = new LinkedHashMap<>();
    int[] entityToKey = new int[entities.count()];
    for (int i = 0; i < entityToKey.length; i++) {
      EntityKey key = ProtoKeys.entityKey(joinKeys, entities, i);
      Integer index = unique.putIfAbsent(key, unique.size());
      entityToKey[i] = index == null ? unique.size() - 1 : index;
    }
    return new ViewRead(projection, List.copyOf(unique.keySet()), entityToKey);
  }

  private record ViewRead(Projection projection, List<EntityKey> uniqueKeys, int[] entityToKey) {}
}
