package dev.featurestore.api.error;

/**
 * Base of every failure the feature store reports. Unchecked; each subtype tells the caller one thing to do.
 * Messages read "Cannot &lt;action&gt;: &lt;reason&gt;" and name the offending value.
 */
public class FeatureStoreException extends RuntimeException {
  public FeatureStoreException(String message) {
    super(message);
  }

  public FeatureStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
