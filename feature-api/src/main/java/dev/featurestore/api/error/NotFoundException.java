package dev.featurestore.api.error;

/** A named object (entity, feature view, feature, feature service, registry version) does not exist. */
public class NotFoundException extends FeatureStoreException {
  public NotFoundException(String message) {
    super(message);
  }
}
