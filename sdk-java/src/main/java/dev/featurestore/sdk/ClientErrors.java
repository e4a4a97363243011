package dev.featurestore.sdk;

import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.GrpcErrors;
import dev.featurestore.api.error.UnavailableException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.StreamResetException;
import io.vertx.grpc.client.GrpcClientResponse;
import io.vertx.grpc.client.InvalidStatusException;
import io.vertx.grpc.common.GrpcErrorException;
import io.vertx.grpc.common.GrpcStatus;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one place where what can go wrong in a call (a gRPC status, a broken connection, a bug) becomes the
 * feature store exception the caller sees. Both clients report through it, so a failure reads the same whether
 * the caller waited or not.
 */
final class ClientErrors {
  private ClientErrors() {}

  /**
   * @param action what the call does, for messages ("get online features")
   * @param target the server's address
   * @param response the call's response when one arrived: its status and message are the server's verdict
   */
  static FeatureStoreException translate(
      String action, String target, Throwable failure, GrpcClientResponse<?, ?> response) {
    Throwable cause = unwrap(failure);
    if (cause instanceof FeatureStoreException known) {
      return known;
    }
    GrpcStatus status = response == null ? null : response.status();
    if (status != null && status != GrpcStatus.OK) {
      return GrpcErrors.fromStatus(status, response.statusMessage(), cause);
    }
    if (cause instanceof InvalidStatusException invalid) {
      return GrpcErrors.fromStatus(invalid.actualStatus(),
          "Cannot " + action + ": " + target + " answered " + invalid.actualStatus(), cause);
    }
    if (cause instanceof GrpcErrorException reset) {
      return GrpcErrors.fromStatus(reset.status(),
          "Cannot " + action + ": " + target + " reset the call (" + reset.error() + ")", cause);
    }
    if (cause instanceof IOException || cause instanceof HttpClosedException
        || cause instanceof StreamResetException) {
      return new UnavailableException(
          "Cannot " + action + ": cannot reach the feature store at " + target + " (" + cause.getMessage() + ")",
          cause);
    }
    return new FeatureStoreException("Cannot " + action + ": " + cause, cause);
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
