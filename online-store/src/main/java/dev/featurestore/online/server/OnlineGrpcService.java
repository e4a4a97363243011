package dev.featurestore.online.server;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.error.GrpcErrors;
import dev.featurestore.api.error.UnavailableException;
import dev.featurestore.online.server.ServingMetrics.Call;
import dev.featurestore.online.server.ServingMetrics.Protocol;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.InferenceServiceGrpcService;
import dev.featurestore.proto.v1.OnlineServiceGrpcService;
import dev.featurestore.proto.v1.PredictRequest;
import dev.featurestore.proto.v1.PredictResponse;
import dev.featurestore.proto.v1.PushRequest;
import dev.featurestore.proto.v1.PushResponse;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.grpc.common.CodecException;
import io.vertx.grpc.common.GrpcMessage;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.WireFormat;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.GrpcServerRequest;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OnlineService over gRPC: runs each call on the event loop that received it and turns every failure into a
 * status through {@link GrpcErrors}, so a client sees a status and a message, never a stack trace, and a failed
 * call never affects the next one.
 *
 * <p>GetOnlineFeatures answers with bytes {@link ResponseEncoder} wrote, through a method whose encoder passes them
 * on as they are; the wire format, and so every client, is the same as the generated service's. The
 * InferenceService's Predict is bound the same way ({@link #bindPredict}), and every call is timed in
 * {@link ServingMetrics}.
 */
final class OnlineGrpcService {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineGrpcService.class);

  /**
   * GetOnlineFeatures with the request read by {@link OnlineRequest#parse} and an already encoded response;
   * protobuf bytes are turned into JSON for JSON clients.
   */
  private static final ServiceMethod<OnlineRequest, byte[]> GET_ONLINE_FEATURES = ServiceMethod.server(
      OnlineServiceGrpcService.SERVICE_NAME,
      OnlineServiceGrpcService.GetOnlineFeatures.methodName(),
      new EncodedResponses(),
      new ParsedRequests());

  private final FeatureReader reader;
  private final PushWriter writer;
  private final ServingMetrics metrics;

  OnlineGrpcService(FeatureReader reader, PushWriter writer, ServingMetrics metrics) {
    this.reader = reader;
    this.writer = writer;
    this.metrics = metrics;
  }

  /** Serves both calls of the OnlineService on {@code grpc}, each timed in {@link ServingMetrics}. */
  void bind(GrpcServer grpc) {
    grpc.callHandler(GET_ONLINE_FEATURES, call -> call.handler(request -> {
      long start = System.nanoTime();
      answer(call, metrics.timed(Call.GET_ONLINE_FEATURES, Protocol.GRPC, start,
          guard("get online features", request, r -> reader.read(r, Vertx.currentContext()))));
    }));
    grpc.callHandler(OnlineServiceGrpcService.Push, call -> call.handler(request -> {
      long start = System.nanoTime();
      answer(call, metrics.timed(Call.PUSH, Protocol.GRPC, start, push(request)));
    }));
  }

  /**
   * Serves {@code predict} as the InferenceService's Predict on {@code grpc}, with the failure handling and timing
   * of the calls above.
   */
  static void bindPredict(
      GrpcServer grpc, Function<PredictRequest, Future<PredictResponse>> predict, ServingMetrics metrics) {
    grpc.callHandler(InferenceServiceGrpcService.Predict, call -> call.handler(request -> {
      long start = System.nanoTime();
      answer(call, metrics.timed(Call.PREDICT, Protocol.GRPC, start, guard("predict", request, predict)));
    }));
  }

  private static <Req, Resp> void answer(GrpcServerRequest<Req, Resp> call, Future<Resp> result) {
    result.onComplete((response, failure) -> {
      if (failure == null) {
        call.response().end(response);
      } else {
        call.response().fail(failure);
      }
    });
  }

  /** GetOnlineFeatures as a message, for the HTTP/JSON API. */
  Future<GetOnlineFeaturesResponse> getOnlineFeatures(GetOnlineFeaturesRequest request) {
    return guard("get online features", request, r -> reader.read(OnlineRequest.of(r), Vertx.currentContext()))
        .map(OnlineGrpcService::parse);
  }

  Future<PushResponse> push(PushRequest request) {
    return guard("push", request, r -> writer.push(r, Vertx.currentContext()));
  }

  private static GetOnlineFeaturesResponse parse(byte[] encoded) {
    try {
      return GetOnlineFeaturesResponse.parseFrom(encoded);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("Cannot read back the encoded online response", e);
    }
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

  /** Reads protobuf requests with {@link OnlineRequest#parse}; JSON ones through the generated message. */
  private static final class ParsedRequests implements GrpcMessageDecoder<OnlineRequest> {
    private static final GrpcMessageDecoder<GetOnlineFeaturesRequest> MESSAGES =
        OnlineServiceGrpcService.GetOnlineFeatures.decoder();

    @Override
    public OnlineRequest decode(GrpcMessage message) throws CodecException {
      if (message.format() != WireFormat.PROTOBUF) {
        return OnlineRequest.of(MESSAGES.decode(message));
      }
      try {
        return OnlineRequest.parse(message.payload().getBytes());
      } catch (InvalidProtocolBufferException e) {
        throw new CodecException(e);
      }
    }

    @Override
    public boolean accepts(WireFormat format) {
      return MESSAGES.accepts(format);
    }
  }

  /** Passes protobuf bytes on as the message; for the JSON wire format, parses and prints them as JSON. */
  private static final class EncodedResponses implements GrpcMessageEncoder<byte[]> {
    private static final GrpcMessageEncoder<GetOnlineFeaturesResponse> MESSAGES = GrpcMessageEncoder.encoder();

    @Override
    public GrpcMessage encode(byte[] encoded, WireFormat format) throws CodecException {
      if (format == WireFormat.PROTOBUF) {
        return GrpcMessage.message("identity", WireFormat.PROTOBUF, Buffer.buffer(encoded));
      }
      return MESSAGES.encode(parse(encoded), format);
    }

    @Override
    public boolean accepts(WireFormat format) {
      return MESSAGES.accepts(format);
    }
  }
}
