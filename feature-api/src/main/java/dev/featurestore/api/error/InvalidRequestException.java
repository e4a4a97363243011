package dev.featurestore.api.error;

/** The request or input is malformed (bad name, wrong type, missing field): fix it, retrying will not help. */
public class InvalidRequestException extends FeatureStoreException {
  public InvalidRequestException(String message) {
    super(message);
  }

  public InvalidRequestException(String message, Throwable cause) {
    super(message, cause);
  }
}
