package dev.featurestore.bench;

import java.util.function.Consumer;

/**
 * Sends the requests of one shape to one target. {@link #call} must return at once (the open-loop scheduler calls
 * it on its own thread at each intended send time) and may be called while earlier calls are still in flight.
 */
interface Caller {

  /**
   * Sends pooled request {@code index}; {@code done} receives null on success or the failure, on any thread,
   * exactly once.
   */
  void call(int index, Consumer<Throwable> done);

  /**
   * Sends pooled request {@code index}, waits for the answer and checks that it holds every requested value, so a
   * run never measures empty reads.
   *
   * @throws IllegalStateException naming what is missing
   */
  void verify(int index);
}
