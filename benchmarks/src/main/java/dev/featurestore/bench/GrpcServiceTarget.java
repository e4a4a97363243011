package dev.featurestore.bench;

import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.FeatureColumn;
import dev.featurestore.proto.v1.FeatureList;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import dev.featurestore.proto.v1.Value;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The online service over gRPC (HTTP/2 on loopback) through the generated Vert.x client: many calls in flight,
 * multiplexed on the client's connection. Requests are built as protobuf messages before the run.
 */
final class GrpcServiceTarget implements Target {
  private final String name;
  private final OnlineServiceGrpcClient client;
  private final Context context;
  private final boolean distinctKeys;

  /**
   * @param context the client event loop every call is issued on: one context, as a model server's client would
   *     have, instead of a new one per call from the scheduler's thread
   * @param distinctKeys whether requests ask for views shared by entity rows to answer once per distinct key
   */
  GrpcServiceTarget(String name, OnlineServiceGrpcClient client, Context context, boolean distinctKeys) {
    this.name = name;
    this.client = client;
    this.context = context;
    this.distinctKeys = distinctKeys;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Caller prepare(Shape shape, RequestPool pool) {
    GetOnlineFeaturesRequest[] requests = requests(shape, pool);
    int valuesPerEntity = valuesPerEntity(shape);
    return new Caller() {
      @Override
      public void call(int index, Consumer<Throwable> done) {
        GetOnlineFeaturesRequest request = requests[index];
        context.runOnContext(ignored ->
            client.getOnlineFeatures(request).onComplete(response -> done.accept(null), done::accept));
      }

      @Override
      public void verify(int index) {
        check(answer(requests[index]), requests[index].getEntitiesCount(), valuesPerEntity);
      }
    };
  }

  /** One call, issued on the client's context and awaited: for checks and preparation, not for measured runs. */
  GetOnlineFeaturesResponse answer(GetOnlineFeaturesRequest request) {
    Promise<GetOnlineFeaturesResponse> answer = Promise.promise();
    context.runOnContext(ignored -> client.getOnlineFeatures(request).onComplete(answer));
    return Futures.await(answer.future().toCompletionStage(), "call " + name);
  }

  private void check(GetOnlineFeaturesResponse response, int entities, int valuesPerEntity) {
    if (response.getEntityCount() != entities || response.getColumnsCount() != valuesPerEntity) {
      throw new IllegalStateException("Cannot use " + name + ": expected " + entities + " rows of "
          + valuesPerEntity + " features, got " + response.getEntityCount() + " of " + response.getColumnsCount());
    }
    for (FeatureColumn column : response.getColumnsList()) {
      for (FeatureStatus status : column.getStatusesList()) {
        if (status != FeatureStatus.PRESENT) {
          throw new IllegalStateException("Cannot use " + name + ": a value came back " + status
              + " instead of PRESENT; was the data loaded?");
        }
      }
    }
  }

  /** The GetOnlineFeatures requests of {@code pool} this target sends, built before the run. */
  GetOnlineFeaturesRequest[] requests(Shape shape, RequestPool pool) {
    GetOnlineFeaturesRequest[] requests = new GetOnlineFeaturesRequest[pool.size()];
    FeatureList features = features(shape);
    for (int i = 0; i < requests.length; i++) {
      GetOnlineFeaturesRequest.Builder request = GetOnlineFeaturesRequest.newBuilder().setFeatures(features)
          .setDistinctKeys(distinctKeys);
      for (long id : pool.entities(i)) {
        EntityRow.Builder row = EntityRow.newBuilder();
        switch (shape.kind()) {
          case WIDE -> row.putKeys(BenchData.ENTITY_KEY, int64(id));
          case RANKING -> row.putKeys(BenchData.USER_KEY, int64(pool.user(i))).putKeys(BenchData.ITEM_KEY, int64(id));
        }
        request.addEntities(row);
      }
      requests[i] = request.build();
    }
    return requests;
  }

  /** The columns one entity row of {@code shape} is answered with. */
  static int valuesPerEntity(Shape shape) {
    return shape.kind() == Shape.Kind.RANKING ? 2 * shape.features() : shape.features();
  }

  /** The feature references a request of {@code shape} names. */
  static FeatureList features(Shape shape) {
    List<String> refs = new ArrayList<>();
    switch (shape.kind()) {
      case WIDE -> {
        if (shape.features() == BenchData.WIDE_FEATURES) {
          refs.add(BenchData.WIDE_VIEW + ":*");
        } else {
          for (int f = 0; f < shape.features(); f++) {
            refs.add(BenchData.WIDE_VIEW + ":" + BenchData.wideFeature(f));
          }
        }
      }
      case RANKING -> {
        refs.add(BenchData.USER_VIEW + ":*");
        refs.add(BenchData.ITEM_VIEW + ":*");
      }
    }
    return FeatureList.newBuilder().addAllFeatures(refs).build();
  }

  private static Value int64(long id) {
    return Value.newBuilder().setInt64Val(id).build();
  }
}
