package dev.featurestore.sdk;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The stage a client call returns. The client completes it with {@link #succeed} and {@link #fail}; any completion
 * from outside ({@code cancel}, {@code complete}, {@code completeExceptionally}, {@code orTimeout}) means the
 * caller gave up, so it also cancels the gRPC call in flight instead of leaving the server working for nobody.
 */
final class ClientCall<T> extends CompletableFuture<T> {
  private final AtomicReference<Runnable> canceller = new AtomicReference<>();
  private volatile boolean abandoned;

  /** Sets what cancels the work in flight now; runs it at once when the caller already gave up. */
  void onCancel(Runnable cancel) {
    canceller.set(cancel);
    if (abandoned) {
      runCanceller();
    }
  }

  boolean succeed(T value) {
    return super.complete(value);
  }

  boolean fail(Throwable failure) {
    return super.completeExceptionally(failure);
  }

  @Override
  public boolean complete(T value) {
    return abandonedIf(super.complete(value));
  }

  @Override
  public boolean completeExceptionally(Throwable failure) {
    return abandonedIf(super.completeExceptionally(failure));
  }

  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    return abandonedIf(super.cancel(mayInterruptIfRunning));
  }

  private boolean abandonedIf(boolean completedNow) {
    if (completedNow) {
      abandoned = true;
      runCanceller();
    }
    return completedNow;
  }

  private void runCanceller() {
    Runnable cancel = canceller.getAndSet(null);
    if (cancel != null) {
      cancel.run();
    }
  }
}
