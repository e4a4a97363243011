package dev.featurestore.bench;

import com.google.protobuf.Descriptors;
import dev.featurestore.proto.v1.GetOnlineFeaturesRequest;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;
import io.vertx.grpc.client.GrpcClient;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;
import io.vertx.grpc.server.GrpcServer;
import io.vertx.grpc.server.Service;
import java.util.function.Consumer;

/**
 * The floor of any gRPC service on this host: one unary call to the service-redis server over the same kind of
 * client connection, whose request and answer have the sizes of the shape's real GetOnlineFeatures exchange, with no
 * work between them (the server answers a ready buffer, the client does not parse it). What it costs is what the
 * second hop alone adds to a read of Redis: gRPC and HTTP/2 on both ends, the loopback transport, the wake-ups of both
 * event loops. With the Lettuce baseline it bounds the service/baseline ratio any gRPC service in front of Redis could
 * reach here.
 */
final class GrpcFloor {
  private static final ServiceName SERVICE = ServiceName.create("featurestore.bench", "Floor");
  private static final String METHOD = "Answer";
  /** Answers up to this size are slices of one zero buffer; a ranking answer is about 206 KB. */
  private static final int SHARED_ANSWER_BYTES = 4 << 20;

  private GrpcFloor() {}

  /** The server's side: answers each request with as many zero bytes as its first four bytes ask for. */
  static Service service() {
    ServiceMethod<Buffer, Buffer> answer =
        ServiceMethod.server(SERVICE, METHOD, GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);
    Buffer zeros = Buffer.buffer(new byte[SHARED_ANSWER_BYTES]);
    return new Service() {
      @Override
      public ServiceName name() {
        return SERVICE;
      }

      @Override
      public Descriptors.ServiceDescriptor descriptor() {
        return null; // raw bytes: no protobuf description to reflect
      }

      @Override
      public void bind(GrpcServer server) {
        server.callHandler(answer, call -> call.handler(request -> {
          int size = request.getInt(0);
          call.response().end(size <= SHARED_ANSWER_BYTES ? zeros.slice(0, size) : Buffer.buffer(new byte[size]));
        }));
      }
    };
  }

  /**
   * The generator's side: per pooled request of a shape, a request of its serialized size asking for an answer of
   * the size {@code service} gave it (one real call per pooled request, at prepare).
   */
  static final class FloorTarget implements Target {
    private static final ServiceMethod<Buffer, Buffer> ANSWER =
        ServiceMethod.client(SERVICE, METHOD, GrpcMessageEncoder.IDENTITY, GrpcMessageDecoder.IDENTITY);

    private final String name;
    private final GrpcClient grpc;
    private final SocketAddress server;
    private final Context context;
    private final GrpcServiceTarget service;

    /** Calls the floor method on {@code server}, which {@code service} reads features from. */
    FloorTarget(String name, GrpcClient grpc, SocketAddress server, Context context, GrpcServiceTarget service) {
      this.name = name;
      this.grpc = grpc;
      this.server = server;
      this.context = context;
      this.service = service;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public Caller prepare(Shape shape, RequestPool pool) {
      GetOnlineFeaturesRequest[] requests = service.requests(shape, pool);
      Buffer[] floors = new Buffer[requests.length];
      int[] answerSizes = new int[requests.length];
      for (int i = 0; i < requests.length; i++) {
        answerSizes[i] = service.answer(requests[i]).getSerializedSize();
        Buffer floor = Buffer.buffer(new byte[Math.max(4, requests[i].getSerializedSize())]);
        floor.setInt(0, answerSizes[i]);
        floors[i] = floor;
      }
      return new Caller() {
        @Override
        public void call(int index, Consumer<Throwable> done) {
          context.runOnContext(ignored -> exchange(floors[index]).onComplete(answer -> done.accept(null),
              done::accept));
        }

        @Override
        public void verify(int index) {
          Promise<Buffer> answer = Promise.promise();
          context.runOnContext(ignored -> exchange(floors[index]).onComplete(answer));
          int size = Futures.await(answer.future().toCompletionStage(), "call " + name).length();
          if (size != answerSizes[index]) {
            throw new IllegalStateException("Cannot use " + name + ": asked for " + answerSizes[index]
                + " bytes, got " + size);
          }
        }
      };
    }

    private Future<Buffer> exchange(Buffer request) {
      return grpc.request(server, ANSWER)
          .compose(call -> call.end(request).compose(sent -> call.response()))
          .compose(response -> response.last());
    }
  }
}
