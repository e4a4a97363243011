package dev.featurestore.sdk;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.proto.v1.ApplyRequest;
import dev.featurestore.proto.v1.GetDefinitionsRequest;
import dev.featurestore.proto.v1.InferenceServiceGrpcClient;
import dev.featurestore.proto.v1.OnlineServiceGrpcClient;
import dev.featurestore.proto.v1.PlanRequest;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.RegistryServiceGrpcClient;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientOptions;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.common.ServiceMethod;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The client over the Vert.x gRPC client. Calls go through {@link #send}, which keeps the HTTP/2 stream so that an
 * abandoned call is cancelled, and reads the status message itself: the generated stubs fail with an exception
 * that carries the status but not the server's message.
 */
final class GrpcFeatureStoreClient implements FeatureStoreClient {
  private final FeatureStoreClientOptions options;
  private final Vertx vertx;
  private final boolean ownsVertx;
  private final GrpcClient grpc;
  private final SocketAddress address;
  private final String target;
  private final BlockingFeatureStoreClient blocking;
  /** The definitions push converts values with; replaced when this client applies or meets an unknown view. */
  private final AtomicReference<Definitions> pushDefinitions = new AtomicReference<>();
  /** Set once by the first close; calls made after it fail at once. */
  private final AtomicReference<CompletableFuture<Void>> closing = new AtomicReference<>();

  private GrpcFeatureStoreClient(FeatureStoreClientOptions options, Vertx vertx, boolean ownsVertx) {
    this.options = options;
    this.vertx = vertx;
    this.ownsVertx = ownsVertx;
    this.grpc = GrpcClient.client(vertx, new GrpcClientOptions().setMaxMessageSize(options.maxMessageBytes()));
    this.address = SocketAddress.inetSocketAddress(options.port(), options.host());
    this.target = options.host() + ":" + options.port();
    this.blocking = new BlockingClient(this, options.timeout());
  }

  static GrpcFeatureStoreClient create(FeatureStoreClientOptions options) {
    Objects.requireNonNull(options, "options");
    if (options.vertx().isPresent()) {
      return new GrpcFeatureStoreClient(options, options.vertx().get(), false);
    }
    // One HTTP/2 connection lives on one event loop, so a client needs no more; it does no blocking work either.
    Vertx own = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
        .setInternalBlockingPoolSize(1));
    return new GrpcFeatureStoreClient(options, own, true);
  }

  @Override
  public CompletionStage<DefinitionsPlan> plan(Definitions definitions) {
    ClientCall<DefinitionsPlan> call = new ClientCall<>();
    PlanRequest request = PlanRequest.newBuilder().setDefinitions(ProtoDefinitions.toProto(definitions)).build();
    send(call, RegistryServiceGrpcClient.Plan, request, "plan definitions", WireConversions::fromProto);
    return call;
  }

  @Override
  public CompletionStage<ApplyOutcome> apply(Definitions definitions) {
    return apply(definitions, 0);
  }

  @Override
  public CompletionStage<ApplyOutcome> apply(Definitions definitions, long expectedVersion) {
    ClientCall<ApplyOutcome> call = new ClientCall<>();
    ApplyRequest request = ApplyRequest.newBuilder()
        .setDefinitions(ProtoDefinitions.toProto(definitions))
        .setExpectedVersion(expectedVersion)
        .build();
    send(call, RegistryServiceGrpcClient.Apply, request, "apply definitions", response -> {
      pushDefinitions.set(definitions);
      return WireConversions.fromProto(response);
    });
    return call;
  }

  @Override
  public CompletionStage<VersionedDefinitions> definitions() {
    return definitions(0);
  }

  @Override
  public CompletionStage<VersionedDefinitions> definitions(long version) {
    ClientCall<VersionedDefinitions> call = new ClientCall<>();
    GetDefinitionsRequest request = GetDefinitionsRequest.newBuilder().setVersion(version).build();
    send(call, RegistryServiceGrpcClient.GetDefinitions, request, "read definitions", WireConversions::fromProto);
    return call;
  }

  @Override
  public CompletionStage<OnlineResponse> getOnlineFeatures(OnlineRequest request) {
    ClientCall<OnlineResponse> call = new ClientCall<>();
    String action = "get online features";
    try {
      send(call, OnlineServiceGrpcClient.GetOnlineFeatures, WireConversions.toProto(request), action,
          WireConversions::fromProto);
    } catch (RuntimeException e) {
      call.fail(ClientErrors.translate(action, target, e, null));
    }
    return call;
  }

  @Override
  public CompletionStage<Predictions> predict(PredictionRequest request) {
    ClientCall<Predictions> call = new ClientCall<>();
    String action = "predict";
    try {
      send(call, InferenceServiceGrpcClient.Predict, WireConversions.toProto(request), action,
          WireConversions::fromProto);
    } catch (RuntimeException e) {
      call.fail(ClientErrors.translate(action, target, e, null));
    }
    return call;
  }

  @Override
  public CompletionStage<Long> push(String featureView, List<PushRow> rows) {
    Objects.requireNonNull(featureView, "featureView");
    List<PushRow> copy = List.copyOf(rows);
    ClientCall<Long> call = new ClientCall<>();
    String action = "push to feature view '" + featureView + "'";
    Definitions known = pushDefinitions.get();
    if (known != null && known.view(featureView).isPresent()) {
      sendPush(call, featureView, copy, known, action);
      return call;
    }
    ClientCall<VersionedDefinitions> read = (ClientCall<VersionedDefinitions>) definitions();
    call.onCancel(() -> read.cancel(false));
    read.whenComplete((current, failure) -> {
      if (failure != null) {
        call.fail(ClientErrors.translate(action, target, failure, null));
        return;
      }
      pushDefinitions.set(current.definitions());
      sendPush(call, featureView, copy, current.definitions(), action);
    });
    return call;
  }

  private void sendPush(ClientCall<Long> call, String view, List<PushRow> rows, Definitions definitions,
      String action) {
    PushRequest request;
    try {
      request = WireConversions.toPush(view, rows, definitions);
    } catch (RuntimeException e) {
      call.fail(ClientErrors.translate(action, target, e, null));
      return;
    }
    send(call, OnlineServiceGrpcClient.Push, request, action, response -> response.getRowsWritten());
  }

  /**
   * Sends one unary call and completes {@code call} with the decoded response or the translated failure. The
   * stream is cancelled when the caller abandons {@code call}.
   */
  private <Req, Resp, T> void send(ClientCall<T> call, ServiceMethod<Resp, Req> method, Req request, String action,
      Function<Resp, T> decode) {
    if (closing.get() != null) {
      call.fail(new FeatureStoreException("Cannot " + action + ": the client of " + target + " is closed"));
      return;
    }
    Future<GrpcClientRequest<Req, Resp>> creating;
    try {
      creating = grpc.request(address, method);
    } catch (RuntimeException e) {
      // The gRPC client refuses synchronously once closed, which can race with the check above.
      call.fail(ClientErrors.translate(action, target, e, null));
      return;
    }
    creating.onComplete(created -> {
      if (created.failed()) {
        call.fail(ClientErrors.translate(action, target, created.cause(), null));
        return;
      }
      GrpcClientRequest<Req, Resp> grpcRequest = created.result();
      Context context = Vertx.currentContext() != null ? Vertx.currentContext() : vertx.getOrCreateContext();
      call.onCancel(() -> context.runOnContext(v -> grpcRequest.cancel()));
      if (call.isDone()) {
        return;
      }
      grpcRequest.send(request).onComplete(sent -> {
        if (sent.failed()) {
          call.fail(ClientErrors.translate(action, target, sent.cause(), null));
          return;
        }
        GrpcClientResponse<Req, Resp> response = sent.result();
        response.last().onComplete(last -> {
          if (last.failed()) {
            call.fail(ClientErrors.translate(action, target, last.cause(), response));
            return;
          }
          try {
            call.succeed(decode.apply(last.result()));
          } catch (RuntimeException e) {
            call.fail(ClientErrors.translate(action, target, e, null));
          }
        });
      });
    });
  }

  @Override
  public BlockingFeatureStoreClient blocking() {
    return blocking;
  }

  @Override
  public CompletionStage<Void> closeAsync() {
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (!closing.compareAndSet(null, done)) {
      return closing.get();
    }
    Future<Void> closed = grpc.close();
    if (ownsVertx) {
      closed = closed.eventually(() -> vertx.close());
    }
    closed.onComplete(ar -> {
      if (ar.succeeded()) {
        done.complete(null);
      } else {
        done.completeExceptionally(ar.cause());
      }
    });
    return done;
  }

  @Override
  public void close() {
    CompletionStage<Void> closing = closeAsync();
    if (Context.isOnEventLoopThread()) {
      return;
    }
    try {
      closing.toCompletableFuture().get(options.timeout().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FeatureStoreException("Cannot close the feature store client: interrupted while waiting", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new FeatureStoreException("Cannot close the feature store client of " + target + ": " + e, e);
    }
  }

  @Override
  public String toString() {
    return "FeatureStoreClient[" + target + "]";
  }
}
