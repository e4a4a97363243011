package dev.featurestore.api.error;

/**
 * A model version cannot be served as defined: its file is missing or unreadable, its SHA-256 differs from the
 * definition, or its ONNX inputs and outputs do not match the declared ones. Retrying will not help; fix the file or
 * publish a corrected model version. The message names the model, version and mismatch.
 */
public class ModelLoadException extends FeatureStoreException {
  /** How every message of this exception starts, so that a client can tell it from other refusals. */
  public static final String PREFIX = "Cannot load model ";

  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
