package dev.featurestore.online.server;

import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.GrpcErrors;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.OnlineServiceGrpcService;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.PushResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OnlineService over gRPC: runs each call on the event loop that received it and turns every failure into a
 * status through {@link GrpcErrors}, so a client sees a status and a message, never a stack trace, and a failed
 * call never affects the next one.
 */
final class OnlineGrpcService extends OnlineServiceGrpcService {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineGrpcService.class);

  private final FeatureReader reader;
  private final PushWriter writer;

  OnlineGrpcService(FeatureReader reader, PushWriter writer) {
    this.reader = reader;
    this.writer = writer;
  }

  @Override
  public Future<GetOnlineFeaturesResponse> getOnlineFeatures(GetOnlineFeaturesRequest request) {
    return guard("get online features", request, r -> reader.read(r, Vertx.currentContext()));
  }

  @Override
  public Future<PushResponse> push(PushRequest request) {
    return guard("push", request, r -> writer.push(r, Vertx.currentContext()));
  }

  private static <Req, Resp> Future<Resp> guard(String call, Req request, Function<Req, Future<Resp>> handler) {
    Future<Resp> result;
    try {
      result = handler.apply(request);
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    return result.recover(failure -> {
      if (failure instanceof UnavailableException) {
        LOG.warn("Cannot {}: {}", call, failure.getMessage());
      } else if (!(failure instanceof FeatureStoreException)) {
        LOG.error("Cannot {}: unexpected failure", call, failure);
      }
      return Future.failedFuture(GrpcErrors.toStatus(failure));
    });
  }
}
