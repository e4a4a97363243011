package dev.featurestore.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * The online service over HTTP/JSON ({@code POST /v1/online-features}, HTTP/1.1 with keep-alive) through a Vert.x
 * HTTP client, as a client that cannot speak gRPC would call it. Request bodies are encoded before the run; each
 * answer is read whole (not parsed, as a gRPC answer is not inspected either) and must be HTTP 200.
 */
final class HttpServiceTarget implements Target {
  private final String name;
  private final HttpClient client;
  private final int port;
  private final Context context;

  /** @param context the client event loop every call is issued on (see {@link GrpcServiceTarget}) */
  HttpServiceTarget(String name, HttpClient client, int port, Context context) {
    this.name = name;
    this.client = client;
    this.port = port;
    this.context = context;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Caller prepare(Shape shape, RequestPool pool) {
    Buffer[] bodies = new Buffer[pool.size()];
    JsonArray features = new JsonArray(GrpcServiceTarget.features(shape).getFeaturesList());
    for (int i = 0; i < bodies.length; i++) {
      JsonArray entities = new JsonArray();
      for (long id : pool.entities(i)) {
        entities.add(switch (shape.kind()) {
          case WIDE -> new JsonObject().put(BenchData.ENTITY_KEY, id);
          case RANKING -> new JsonObject().put(BenchData.USER_KEY, pool.user(i)).put(BenchData.ITEM_KEY, id);
        });
      }
      bodies[i] = new JsonObject().put("features", features).put("entities", entities).toBuffer();
    }
    int columns = GrpcServiceTarget.valuesPerEntity(shape);
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
        .setURI("/v1/online-features").putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    return new Caller() {
      @Override
      public void call(int index, Consumer<Throwable> done) {
        context.runOnContext(ignored -> send(options, bodies[index]).onComplete(body -> done.accept(null),
            done::accept));
      }

      @Override
      public void verify(int index) {
        Promise<Buffer> answer = Promise.promise();
        context.runOnContext(ignored -> send(options, bodies[index]).onComplete(answer));
        Buffer body = Futures.await(answer.future().toCompletionStage(), "call " + name);
        check(body.toJsonObject(), pool.entities(index).length, columns);
      }
    };
  }

  private Future<Buffer> send(RequestOptions options, Buffer body) {
    return client.request(options)
        .compose(request -> request.send(body))
        .compose(response -> response.body().compose(answer -> response.statusCode() == 200
            ? Future.succeededFuture(answer)
            : Future.failedFuture("HTTP " + response.statusCode() + ": " + answer)));
  }

  private void check(JsonObject answer, int entities, int columns) {
    JsonArray results = answer.getJsonArray("results");
    if (results == null || results.size() != entities || answer.getJsonArray("feature_names").size() != columns) {
      throw new IllegalStateException("Cannot use " + name + ": expected " + entities + " results of " + columns
          + " features, got " + answer.encode().substring(0, Math.min(200, answer.encode().length())));
    }
    for (int r = 0; r < results.size(); r++) {
      for (Object status : results.getJsonObject(r).getJsonArray("statuses")) {
        if (!"PRESENT".equals(status)) {
          throw new IllegalStateException("Cannot use " + name + ": a value came back " + status
              + " instead of PRESENT; was the data loaded?");
        }
      }
    }
  }
}
