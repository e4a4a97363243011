package dev.featurestore.online;

import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.UnavailableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/** The one place where failures of Redis and Hazelcast become feature store exceptions. */
final class StoreFailures {
  private StoreFailures() {}

  /** The stage's result, or its failure as an {@link UnavailableException} saying what could not be done. */
  static <T> CompletionStage<T> translate(CompletionStage<T> stage, String action) {
    CompletableFuture<T> result = new CompletableFuture<>();
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        result.complete(value);
      } else {
        result.completeExceptionally(translate(failure, action));
      }
    });
    return result;
  }

  /** A feature store exception stays as it is; anything else means the backing service failed. */
  static FeatureStoreException translate(Throwable failure, String action) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof FeatureStoreException known) {
      return known;
    }
    String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return new UnavailableException("Cannot " + action + ": " + reason, cause);
  }

  /** A stage already failed with {@code failure} translated. */
  static <T> CompletionStage<T> failed(Throwable failure, String action) {
    return CompletableFuture.failedFuture(translate(failure, action));
  }
}
