package dev.featurestore.online.inference;

import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.GrpcErrors;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.proto.v1.InferenceServiceGrpcService;
import dev.featurestore.proto.v1.PredictRequest;
import dev.featurestore.proto.v1.PredictResponse;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The InferenceService over gRPC: each call runs on the event loop that received it (the predictor moves the
 * scoring to its workers), and every failure becomes a status through {@link GrpcErrors}, never a stack trace.
 */
final class InferenceGrpcService extends InferenceServiceGrpcService {
  private static final Logger LOG = LoggerFactory.getLogger(InferenceGrpcService.class);

  private final Predictor predictor;

  InferenceGrpcService(Predictor predictor) {
    this.predictor = predictor;
  }

  @Override
  public Future<PredictResponse> predict(PredictRequest request) {
    Future<PredictResponse> result;
    try {
      result = predictor.predict(request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(failure -> {
      if (failure instanceof UnavailableException) {
        LOG.warn("Cannot predict: {}", failure.getMessage());
      } else if (!(failure instanceof FeatureStoreException)) {
        LOG.error("Cannot predict: unexpected failure", failure);
      }
      return Future.failedFuture(GrpcErrors.toStatus(failure));
    });
  }
}
