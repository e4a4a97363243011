package dev.featurestore.api.error;

import io.vertx.grpc.common.GrpcStatus;
import io.vertx.grpc.server.StatusException;

/**
 * The one place where feature store exceptions become gRPC statuses and back, so that every service answers the
 * same failure with the same status and every client raises the same exception for it.
 */
public final class GrpcErrors {
  private GrpcErrors() {}

  /** The status for a failure; unknown failures become INTERNAL with a message that hides no cause. */
  public static StatusException toStatus(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StatusException status) {
      return status;
    }
    GrpcStatus status;
    if (cause instanceof InvalidRequestException) {
      status = GrpcStatus.INVALID_ARGUMENT;
    } else if (cause instanceof NotFoundException) {
      status = GrpcStatus.NOT_FOUND;
    } else if (cause instanceof IncompatibleChangeException || cause instanceof ModelLoadException) {
      status = GrpcStatus.FAILED_PRECONDITION;
    } else if (cause instanceof UnavailableException) {
      status = GrpcStatus.UNAVAILABLE;
    } else {
      status = GrpcStatus.INTERNAL;
    }
    String message = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new StatusException(status, message);
  }

  /** The exception a client raises for a failed call's status and message. */
  public static FeatureStoreException fromStatus(GrpcStatus status, String message, Throwable cause) {
    String text = message == null || message.isEmpty() ? "the server answered " + status : message;
    return switch (status) {
      case INVALID_ARGUMENT, OUT_OF_RANGE -> new InvalidRequestException(text, cause);
      case NOT_FOUND -> new NotFoundException(text);
      case FAILED_PRECONDITION, ABORTED -> text.startsWith(ModelLoadException.PREFIX)
          ? new ModelLoadException(text)
          : new IncompatibleChangeException(java.util.List.of(
          text.startsWith("Cannot apply definitions: ") ? text.substring("Cannot apply definitions: ".length()) : text));
      case UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED -> new UnavailableException(text, cause);
      default -> new FeatureStoreException(text, cause);
    };
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof java.util.concurrent.CompletionException
        || current instanceof java.util.concurrent.ExecutionException) && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }
}
