package dev.featurestore.online;

import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.EventLoopGroupProvider;
import io.lettuce.core.resource.Transports;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Where the Redis connections of a store do their I/O: Lettuce's own threads, or the event loops of a Vert.x
 * instance, one connection per event loop.
 *
 * <p>Why: with Lettuce on its own threads, every read started on a Vert.x event loop costs two thread hand-offs (the
 * command is queued to Lettuce's I/O thread, which is woken to write it; the answer is queued back to the event
 * loop, which is woken to send the response): four extra system calls and two wake-ups per request, seen with
 * strace on the server. With a connection on each event loop, a command issued on an event loop is written, its
 * answer read and its future completed on that same thread.
 */
final class RedisLanes {
  /** The event loops to pin connections to; empty when Lettuce runs its own threads. */
  private final List<EventLoop> loops;

  private RedisLanes(List<EventLoop> loops) {
    this.loops = loops;
  }

  /** Lettuce's own I/O threads and one connection (for stores used outside a Vert.x server). */
  static RedisLanes lettuceThreads() {
    return new RedisLanes(List.of());
  }

  /**
   * One connection per event loop of {@code vertx}; Lettuce's own threads when the two transports differ (Vert.x on
   * a native transport, or Lettuce finding one Vert.x does not use), since a channel can only be registered with
   * an event loop of its own transport.
   */
  static RedisLanes on(Vertx vertx) {
    // VertxInternal is Vert.x's internal API (its own modules use it); nettyEventLoopGroup has no public twin.
    VertxInternal internal = (VertxInternal) vertx;
    if (internal.isNativeTransportEnabled() || Transports.socketChannelClass() != NioSocketChannel.class) {
      return lettuceThreads();
    }
    List<EventLoop> loops = new ArrayList<>();
    for (EventExecutor executor : internal.nettyEventLoopGroup()) {
      loops.add((EventLoop) executor);
    }
    return new RedisLanes(List.copyOf(loops));
  }

  /** How many connections to open. */
  int count() {
    return Math.max(1, loops.size());
  }

  /** The event loop of connection {@code lane}, or null when Lettuce's threads serve it. */
  EventLoop loop(int lane) {
    return loops.isEmpty() ? null : loops.get(lane);
  }

  /**
   * The resources of connection {@code lane}: {@code shared} itself on Lettuce's threads, otherwise a copy of it
   * whose I/O runs on the lane's event loop. The copy shares {@code shared}'s timer and computation pool, and
   * shutting it down shuts down neither those nor the event loop, which belongs to Vert.x.
   */
  ClientResources resources(ClientResources shared, int lane) {
    EventLoop loop = loop(lane);
    return loop == null ? shared : shared.mutate().eventLoopGroupProvider(new PinnedLoop(loop)).build();
  }

  /** Hands Lettuce one given event loop as its whole event loop group, and never shuts it down. */
  private record PinnedLoop(EventLoop loop) implements EventLoopGroupProvider {
    @Override
    @SuppressWarnings("unchecked") // Lettuce asks for its transport's group class but uses it as an EventLoopGroup
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
      return (T) loop;
    }

    @Override
    public int threadPoolSize() {
      return 1;
    }

    @Override
    public Future<Boolean> release(
        EventExecutorGroup eventLoopGroup, long quietPeriod, long timeout, TimeUnit unit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit timeUnit) {
      return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
  }
}
