package dev.featurestore.registry.grpc;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.GrpcErrors;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.proto.v1.ApplyRequest;
import dev.featurestore.proto.v1.ApplyResponse;
import dev.featurestore.proto.v1.GetDefinitionsRequest;
import dev.featurestore.proto.v1.GetDefinitionsResponse;
import dev.featurestore.proto.v1.PlanRequest;
import dev.featurestore.proto.v1.PlanResponse;
import dev.featurestore.proto.v1.RegistryServiceGrpcService;
import dev.featurestore.registry.Registry;
import io.vertx.core.Future;
import io.vertx.core.WorkerExecutor;
import java.util.Objects;
import java.util.concurrent.Callable;

/**
 * The registry over gRPC ({@code featurestore.v1.RegistryService}). Bind it with
 * {@code GrpcServer.server(vertx).addService(new RegistryGrpcService(registry, workers))}.
 *
 * <p>Every call that may touch the database runs on {@code workers}, never on the event loop; the current
 * definitions are answered from memory. Failures become statuses through {@link GrpcErrors#toStatus}: malformed
 * definitions {@code INVALID_ARGUMENT}, refused changes and a stale expected version {@code FAILED_PRECONDITION},
 * an unknown version {@code NOT_FOUND}, an unreachable database {@code UNAVAILABLE}; each with a message naming the
 * offending object. The caller owns the registry and the worker executor and closes them.
 */
public final class RegistryGrpcService extends RegistryServiceGrpcService {
  private final Registry registry;
  private final WorkerExecutor workers;

  public RegistryGrpcService(Registry registry, WorkerExecutor workers) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.workers = Objects.requireNonNull(workers, "workers");
  }

  @Override
  public Future<PlanResponse> plan(PlanRequest request) {
    return blocking(() -> {
      Definitions proposed = definitions(request.hasDefinitions(), request.getDefinitions(), "plan");
      return RegistryProtos.toProto(registry.plan(proposed));
    });
  }

  @Override
  public Future<ApplyResponse> apply(ApplyRequest request) {
    return blocking(() -> {
      if (request.getExpectedVersion() < 0) {
        throw new InvalidRequestException("Cannot apply definitions: expected_version "
            + request.getExpectedVersion() + " is negative (0 means any version)");
      }
      Definitions proposed = definitions(request.hasDefinitions(), request.getDefinitions(), "apply");
      return RegistryProtos.toProto(registry.apply(proposed, request.getExpectedVersion()));
    });
  }

  @Override
  public Future<GetDefinitionsResponse> getDefinitions(GetDefinitionsRequest request) {
    if (request.getVersion() == 0) {
      return Future.succeededFuture(RegistryProtos.toProto(registry.current()));
    }
    return blocking(() -> RegistryProtos.toProto(registry.version(request.getVersion())));
  }

  /**
   * Requires the field to be set: an apply of a request that forgot its definitions would otherwise remove
   * everything.
   */
  private static Definitions definitions(boolean present, dev.featurestore.proto.v1.Definitions proto, String action) {
    if (!present) {
      throw new InvalidRequestException("Cannot " + action
          + " definitions: the request has no definitions field (send an empty one to remove everything)");
    }
    return ProtoDefinitions.fromProto(proto);
  }

  private <T> Future<T> blocking(Callable<T> work) {
    return workers.<T>executeBlocking(work, false).recover(failure -> Future.failedFuture(GrpcErrors.toStatus(failure)));
  }
}
