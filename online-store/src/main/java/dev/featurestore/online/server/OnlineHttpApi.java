package dev.featurestore.online.server;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.GrpcErrors;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.server.ServingMetrics.Call;
import dev.featurestore.online.server.ServingMetrics.Protocol;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OnlineService over HTTP/JSON: {@code POST /v1/online-features}, {@code POST /v1/push} and
 * {@code GET /health}, plus {@code GET /metrics} (the Prometheus text of the server's meters, when its registry is a
 * Prometheus one). Every POST call is timed in {@link ServingMetrics}, a refusal by HTTP itself as INVALID_ARGUMENT.
 *
 * <p>Each call converts its JSON body into the proto request ({@link JsonRequests}) and hands it to the same
 * {@link OnlineGrpcService} instance that answers gRPC, so validation, semantics and messages are the gRPC
 * service's; the response or the status it fails with is turned into JSON ({@link JsonResponses}). Statuses map to
 * HTTP codes INVALID_ARGUMENT 400, NOT_FOUND 404, FAILED_PRECONDITION 409, UNAVAILABLE 503, anything else 500; the
 * body is {@code {"error": {"code": STATUS, "message": ...}}}. HTTP's own refusals use the same body: a body that is
 * no JSON object 400, a body over {@link #MAX_BODY_BYTES} 413, a Content-Type other than application/json 415 (all
 * code INVALID_ARGUMENT), an unknown path 404 (NOT_FOUND), a wrong method 405 with {@code Allow} (UNIMPLEMENTED).
 * No stack trace reaches a client, and no failure affects the next call. Handlers run on the event loop and never
 * block it.
 */
final class OnlineHttpApi {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineHttpApi.class);

  static final String ONLINE_FEATURES = "/v1/online-features";
  static final String PUSH = "/v1/push";
  static final String HEALTH = "/health";
  static final String PREDICT = "/v1/predict";
  static final String METRICS = "/metrics";
  static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

  private static final String JSON = "application/json";
  /** The Prometheus text exposition format, version 0.0.4, which every Prometheus scraper reads. */
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  private static final Buffer UP = Buffer.buffer("{\"status\":\"UP\"}");

  private final Supplier<Definitions> definitions;
  private final ServingMetrics metrics;

  private OnlineHttpApi(Supplier<Definitions> definitions, ServingMetrics metrics) {
    this.definitions = definitions;
    this.metrics = metrics;
  }

  /**
   * The router of the HTTP API over {@code online}, whose JSON values are typed by {@code definitions}; its calls are
   * timed in {@code metrics}, whose registry {@code GET /metrics} shows when it is a Prometheus one.
   */
  static Router router(Vertx vertx, OnlineGrpcService online, Supplier<Definitions> definitions,
      ServingMetrics metrics, MeterRegistry registry) {
    OnlineHttpApi api = new OnlineHttpApi(definitions, metrics);
    Router router = Router.router(vertx);
    // The body is read (within the limit) before the content type is checked, so that a refused request leaves
    // the connection clean for the next one.
    BodyHandler body = BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES);
    router.route(HttpMethod.POST, ONLINE_FEATURES).handler(body)
        .handler(ctx -> api.call(ctx, Call.GET_ONLINE_FEATURES, JsonRequests::getOnlineFeatures,
            online::getOnlineFeatures, JsonResponses::onlineFeatures));
    router.route(ONLINE_FEATURES).handler(ctx -> methodNotAllowed(ctx, "POST"));
    router.route(HttpMethod.POST, PUSH).handler(body)
        .handler(ctx -> api.call(ctx, Call.PUSH, JsonRequests::push, online::push, JsonResponses::push));
    router.route(PUSH).handler(ctx -> methodNotAllowed(ctx, "POST"));
    router.route(HttpMethod.GET, HEALTH).handler(ctx -> send(ctx, 200, UP));
    router.route(HEALTH).handler(ctx -> methodNotAllowed(ctx, "GET"));
    boolean scraped = registry instanceof PrometheusMeterRegistry;
    if (scraped) {
      PrometheusMeterRegistry prometheus = (PrometheusMeterRegistry) registry;
      // Scraping formats a few hundred lines: well under a millisecond, so it runs on the event loop.
      router.route(HttpMethod.GET, METRICS).handler(ctx -> ctx.response()
          .putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS_TEXT).end(prometheus.scrape()));
      router.route(METRICS).handler(ctx -> methodNotAllowed(ctx, "GET"));
    }
    String endpoints = "POST " + ONLINE_FEATURES + ", POST " + PUSH
        + (scraped ? ", GET " + HEALTH + " and GET " + METRICS : " and GET " + HEALTH);
    router.route().handler(ctx -> sendError(ctx, 404, "NOT_FOUND", "Cannot find path '" + ctx.request().path()
        + "': the HTTP endpoints are " + endpoints));
    router.errorHandler(413, ctx -> sendError(ctx, 413, "INVALID_ARGUMENT",
        "Cannot read request body: it is larger than " + MAX_BODY_BYTES + " bytes"));
    // Whatever else fails inside the router (a bug, or a code a handler of vertx-web chose) still answers JSON.
    for (int code : new int[] {400, 404, 405, 415, 500}) {
      router.errorHandler(code, OnlineHttpApi::unhandled);
    }
    return router;
  }

  /**
   * Adds {@code POST /v1/predict} to a router made by {@link #router}, ahead of its catch-all routes, answered by
   * {@code predict} (the same function the gRPC InferenceService calls) with the same JSON conventions.
   */
  static void addPredict(Router router, Supplier<Definitions> definitions,
      Function<dev.featurestore.proto.v1.PredictRequest, Future<dev.featurestore.proto.v1.PredictResponse>> predict,
      ServingMetrics metrics) {
    OnlineHttpApi api = new OnlineHttpApi(definitions, metrics);
    router.route(HttpMethod.POST, PREDICT).order(-2).handler(BodyHandler.create(false).setBodyLimit(MAX_BODY_BYTES))
        .handler(ctx -> api.call(ctx, Call.PREDICT, JsonPredict::request, predict, JsonPredict::response));
    router.route(PREDICT).order(-1).handler(ctx -> methodNotAllowed(ctx, "POST"));
  }

  /** Parses, calls the shared service, answers, times: the one path of every POST endpoint. */
  private <Req, Resp> void call(RoutingContext ctx, Call call, BiFunction<Map<String, Object>, Definitions, Req> parse,
      Function<Req, Future<Resp>> service, Function<Resp, Buffer> render) {
    long start = System.nanoTime();
    String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
    Future<Buffer> answer;
    if (!isJson(type)) {
      answer = Future.failedFuture(new HttpRefusal(415, "Cannot read request body: Content-Type must be " + JSON
          + " but is " + (type == null ? "missing" : "'" + type + "'")));
    } else {
      answer = answer(ctx, parse, service, render);
    }
    metrics.timed(call, Protocol.HTTP, start, answer).onComplete(done -> {
      if (done.succeeded()) {
        send(ctx, 200, done.result());
      } else if (done.cause() instanceof HttpRefusal refusal) {
        sendError(ctx, refusal.code, "INVALID_ARGUMENT", refusal.getMessage());
      } else {
        fail(ctx, done.cause());
      }
    });
  }

  private <Req, Resp> Future<Buffer> answer(RoutingContext ctx, BiFunction<Map<String, Object>, Definitions, Req> parse,
      Function<Req, Future<Resp>> service, Function<Resp, Buffer> render) {
    Future<Buffer> answer;
    try {
      // The definitions only type the JSON here; the service reads them again and validates. An apply in between
      // cannot make the two disagree, since the registry refuses to change the type of a key or feature.
      Req request = parse.apply(JsonRequests.object(ctx.body().buffer()), definitions.get());
      answer = service.apply(request).map(render);
    } catch (RuntimeException e) {
      answer = Future.failedFuture(e);
    }
    return answer;
  }

  /**
   * A request HTTP itself refuses (with {@code code}) before the service sees it; counted as INVALID_ARGUMENT, the
   * status its JSON body names.
   */
  private static final class HttpRefusal extends InvalidRequestException {
    final int code;

    HttpRefusal(int code, String message) {
      super(message);
      this.code = code;
    }
  }

  private static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semicolon = contentType.indexOf(';');
    String mime = semicolon < 0 ? contentType : contentType.substring(0, semicolon);
    return mime.trim().toLowerCase(Locale.ROOT).equals(JSON);
  }

  /** A failed call: the status the gRPC service gave it (or would give it) as HTTP code and JSON body. */
  private static void fail(RoutingContext ctx, Throwable failure) {
    if (!(failure instanceof StatusException) && !(failure instanceof FeatureStoreException)) {
      LOG.error("Cannot answer {} {}: unexpected failure", ctx.request().method(), ctx.request().path(), failure);
    }
    StatusException status = GrpcErrors.toStatus(failure);
    sendError(ctx, httpStatus(status.status()), status.status().name(), status.message());
  }

  static int httpStatus(GrpcStatus status) {
    return switch (status) {
      case INVALID_ARGUMENT -> 400;
      case NOT_FOUND -> 404;
      case FAILED_PRECONDITION -> 409;
      case UNAVAILABLE -> 503;
      default -> 500;
    };
  }

  private static void methodNotAllowed(RoutingContext ctx, String allowed) {
    ctx.response().putHeader(HttpHeaders.ALLOW, allowed);
    sendError(ctx, 405, "UNIMPLEMENTED", "Cannot serve " + ctx.request().method() + " " + ctx.request().path()
        + ": the method must be " + allowed);
  }

  private static void unhandled(RoutingContext ctx) {
    int code = ctx.statusCode() < 400 ? 500 : ctx.statusCode();
    Throwable failure = ctx.failure();
    if (code >= 500) {
      LOG.error("Cannot answer {} {}: unexpected failure", ctx.request().method(), ctx.request().path(), failure);
      sendError(ctx, code, "INTERNAL",
          "Cannot serve " + ctx.request().method() + " " + ctx.request().path() + ": unexpected failure");
      return;
    }
    String reason = failure == null || failure.getMessage() == null
        ? "the request was refused with HTTP " + code
        : failure.getMessage();
    sendError(ctx, code, code == 404 ? "NOT_FOUND" : code == 405 ? "UNIMPLEMENTED" : "INVALID_ARGUMENT",
        "Cannot serve " + ctx.request().method() + " " + ctx.request().path() + ": " + reason);
  }

  private static void sendError(RoutingContext ctx, int code, String status, String message) {
    send(ctx, code, JsonResponses.error(status, message));
  }

  private static void send(RoutingContext ctx, int code, Buffer body) {
    HttpServerResponse response = ctx.response();
    // The client may have gone away while the store answered; there is nobody left to tell.
    if (response.ended() || response.closed()) {
      return;
    }
    response.setStatusCode(code).putHeader(HttpHeaders.CONTENT_TYPE, JSON).end(body);
  }
}
