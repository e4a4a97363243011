package dev.featurestore.registry.grpc;

import static dev.featurestore.registry.Fixtures.base;
import static dev.featurestore.registry.Fixtures.txnWithAmountType;
import static dev.featurestore.registry.Fixtures.withView;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.proto.v1.ApplyRequest;
import dev.featurestore.proto.v1.ApplyResponse;
import dev.featurestore.proto.v1.Definitions;
import dev.featurestore.proto.v1.FieldChange;
import dev.featurestore.proto.v1.GetDefinitionsRequest;
import dev.featurestore.proto.v1.GetDefinitionsResponse;
import dev.featurestore.proto.v1.ObjectChange;
import dev.featurestore.proto.v1.PlanRequest;
import dev.featurestore.proto.v1.PlanResponse;
import dev.featurestore.proto.v1.RegistryServiceGrpcClient;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import dev.featurestore.registry.RegistryOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.client.GrpcClientRequest;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.server.GrpcServer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry service on a real Vert.x gRPC server, called over HTTP/2 with the generated client. */
class RegistryGrpcServiceIT {
  @TempDir
  Path dir;

  private Vertx vertx;
  private WorkerExecutor workers;
  private Registry registry;
  private HttpServer server;
  private GrpcClient grpcClient;
  private SocketAddress address;
  private RegistryServiceGrpcClient client;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    workers = vertx.createSharedWorkerExecutor("registry-grpc-it", 2);
    registry = Registries.embedded(dir, RegistryOptions.builder().refreshInterval(Duration.ofMillis(100)).build());
    GrpcServer grpcServer = GrpcServer.server(vertx).addService(new RegistryGrpcService(registry, workers));
    server = await(vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0))
        .requestHandler(grpcServer)
        .listen());
    address = SocketAddress.inetSocketAddress(server.actualPort(), "127.0.0.1");
    grpcClient = GrpcClient.client(vertx);
    client = RegistryServiceGrpcClient.create(grpcClient, address);
  }

  @AfterEach
  void stop() throws Exception {
    await(grpcClient.close());
    await(server.close());
    await(workers.close());
    registry.close();
    await(vertx.close());
  }

  @Test
  void planApplyGet_roundTrip_returnsChangesVersionAndDefinitions() throws Exception {
    Definitions proto = ProtoDefinitions.toProto(base());

    PlanResponse plan = await(client.plan(PlanRequest.newBuilder().setDefinitions(proto).build()));
    assertThat(plan.getBaseVersion()).isZero();
    assertThat(plan.getViolationsList()).isEmpty();
    assertThat(plan.getChangesList()).extracting(ObjectChange::getAction, ObjectChange::getKind, ObjectChange::getName)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ObjectChange.Action.ADDED, ObjectChange.Kind.ENTITY, "merchant"),
            org.assertj.core.groups.Tuple.tuple(ObjectChange.Action.ADDED, ObjectChange.Kind.ENTITY, "user"),
            org.assertj.core.groups.Tuple.tuple(ObjectChange.Action.ADDED, ObjectChange.Kind.FEATURE_VIEW, "txn"),
            org.assertj.core.groups.Tuple.tuple(
                ObjectChange.Action.ADDED, ObjectChange.Kind.FEATURE_SERVICE, "fraud"));

    ApplyResponse applied = await(client.apply(ApplyRequest.newBuilder().setDefinitions(proto).build()));
    assertThat(applied.getVersion()).isEqualTo(1);
    assertThat(applied.getChangesCount()).isEqualTo(4);

    GetDefinitionsResponse current = await(client.getDefinitions(GetDefinitionsRequest.getDefaultInstance()));
    assertThat(current.getVersion()).isEqualTo(1);
    assertThat(ProtoDefinitions.fromProto(current.getDefinitions())).isEqualTo(base());
    GetDefinitionsResponse first = await(client.getDefinitions(GetDefinitionsRequest.newBuilder().setVersion(1).build()));
    assertThat(first).isEqualTo(current);

    Definitions typeChanged = ProtoDefinitions.toProto(withView(base(), txnWithAmountType(ValueType.STRING)));
    PlanResponse refused = await(client.plan(PlanRequest.newBuilder().setDefinitions(typeChanged).build()));
    assertThat(refused.getBaseVersion()).isEqualTo(1);
    assertThat(refused.getChangesList()).containsExactly(ObjectChange.newBuilder()
        .setAction(ObjectChange.Action.CHANGED)
        .setKind(ObjectChange.Kind.FEATURE_VIEW)
        .setName("txn")
        .addFields(FieldChange.newBuilder().setField("features.amount.type").setOldValue("INT64")
            .setNewValue("STRING"))
        .build());
    assertThat(refused.getViolationsList()).containsExactly("feature view 'txn': feature 'amount' changes type "
        + "from INT64 to STRING; declare a new feature or a new view instead");
  }

  @Test
  void apply_incompatibleChange_failedPreconditionNamingViewAndFeature() throws Exception {
    await(client.apply(ApplyRequest.newBuilder().setDefinitions(ProtoDefinitions.toProto(base())).build()));
    ApplyRequest request = ApplyRequest.newBuilder()
        .setDefinitions(ProtoDefinitions.toProto(withView(base(), txnWithAmountType(ValueType.DOUBLE))))
        .build();

    assertThat(call(RegistryServiceGrpcClient.Apply, request)).isEqualTo(new Outcome(GrpcStatus.FAILED_PRECONDITION,
        "Cannot apply definitions: feature view 'txn': feature 'amount' changes type from INT64 to DOUBLE; "
            + "declare a new feature or a new view instead"));
    assertThatThrownBy(() -> await(client.apply(request)))
        .isInstanceOf(InvalidStatusException.class)
        .hasMessageContaining("FAILED_PRECONDITION");
    assertThat(registry.current().version()).isEqualTo(1);
  }

  @Test
  void apply_staleExpectedVersion_failedPreconditionNamingVersions() throws Exception {
    await(client.apply(ApplyRequest.newBuilder().setDefinitions(ProtoDefinitions.toProto(base())).build()));
    ApplyRequest request = ApplyRequest.newBuilder()
        .setDefinitions(Definitions.getDefaultInstance())
        .setExpectedVersion(4)
        .build();

    assertThat(call(RegistryServiceGrpcClient.Apply, request)).isEqualTo(new Outcome(GrpcStatus.FAILED_PRECONDITION,
        "Cannot apply definitions: the registry is at version 1, not the expected 4"));
  }

  @Test
  void apply_malformedDefinitions_invalidArgumentNamingField() throws Exception {
    Definitions malformed = ProtoDefinitions.toProto(base()).toBuilder()
        .setFeatureViews(0, ProtoDefinitions.toProto(base()).getFeatureViews(0).toBuilder()
            .setFeatures(0, dev.featurestore.proto.v1.Feature.newBuilder().setName("amount")))
        .build();

    assertThat(call(RegistryServiceGrpcClient.Apply, ApplyRequest.newBuilder().setDefinitions(malformed).build()))
        .isEqualTo(new Outcome(GrpcStatus.INVALID_ARGUMENT,
            "Cannot read feature 'amount' of feature view 'txn': its value type is not set"));
    assertThat(call(RegistryServiceGrpcClient.Plan, PlanRequest.newBuilder().setDefinitions(malformed).build()))
        .isEqualTo(new Outcome(GrpcStatus.INVALID_ARGUMENT,
            "Cannot read feature 'amount' of feature view 'txn': its value type is not set"));
    assertThat(registry.current().version()).isZero();
  }

  @Test
  void apply_withoutDefinitionsField_invalidArgumentAndNothingRemoved() throws Exception {
    await(client.apply(ApplyRequest.newBuilder().setDefinitions(ProtoDefinitions.toProto(base())).build()));

    assertThat(call(RegistryServiceGrpcClient.Apply, ApplyRequest.getDefaultInstance()))
        .isEqualTo(new Outcome(GrpcStatus.INVALID_ARGUMENT, "Cannot apply definitions: the request has no "
            + "definitions field (send an empty one to remove everything)"));
    assertThat(registry.current().definitions()).isEqualTo(base());
  }

  @Test
  void getDefinitions_unknownVersion_notFoundNamingVersion() throws Exception {
    await(client.apply(ApplyRequest.newBuilder().setDefinitions(ProtoDefinitions.toProto(base())).build()));

    assertThat(call(RegistryServiceGrpcClient.GetDefinitions, GetDefinitionsRequest.newBuilder().setVersion(9).build()))
        .isEqualTo(new Outcome(GrpcStatus.NOT_FOUND, "Cannot find registry version 9: the latest version is 1"));
    assertThat(call(RegistryServiceGrpcClient.GetDefinitions, GetDefinitionsRequest.newBuilder().setVersion(-1).build()))
        .isEqualTo(new Outcome(GrpcStatus.INVALID_ARGUMENT,
            "Cannot read registry version -1: versions are not negative"));
  }

  /** A call's final status and message, read from the raw response so the message is kept. */
  record Outcome(GrpcStatus status, String message) {}

  private <Req, Resp> Outcome call(ServiceMethod<Resp, Req> method, Req request) throws Exception {
    GrpcClientRequest<Req, Resp> call = await(grpcClient.request(address, method));
    call.end(request);
    GrpcClientResponse<Req, Resp> response = await(call.response());
    await(response.end().transform(ignored -> Future.succeededFuture()));
    return new Outcome(response.status(), response.statusMessage());
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }
}
