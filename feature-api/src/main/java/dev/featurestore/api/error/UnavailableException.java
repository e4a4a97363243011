package dev.featurestore.api.error;

/** A backing service (Redis, Hazelcast, catalog, database) failed or timed out: the same call may succeed later. */
public class UnavailableException extends FeatureStoreException {
  public UnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
