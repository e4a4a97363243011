package dev.featurestore.offline;

import org.apache.arrow.flight.BackpressureStrategy;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightProducer.ServerStreamListener;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * Streams a training set's batches to a DoGet client, waiting (on the Flight worker thread) while the client is
 * slower than the join, so that a slow reader holds back the join instead of filling memory. It does not end the
 * stream: the producer sends the manifest after the last batch, then completes it.
 */
final class FlightSink implements TrainingSetSink {
  private static final long WAIT_MILLIS = 60_000;

  private final ServerStreamListener listener;
  private final BackpressureStrategy backpressure = new BackpressureStrategy.CallbackBackpressureStrategy();

  FlightSink(ServerStreamListener listener) {
    this.listener = listener;
    backpressure.register(listener);
  }

  @Override
  public void begin(VectorSchemaRoot root) {
    listener.start(root);
  }

  @Override
  public void write(VectorSchemaRoot batch) {
    BackpressureStrategy.WaitResult ready = backpressure.waitForListener(WAIT_MILLIS);
    switch (ready) {
      case READY -> listener.putNext();
      case CANCELLED -> throw CallStatus.CANCELLED.withDescription("Cannot stream training set: the client cancelled")
          .toRuntimeException();
      case TIMEOUT -> throw CallStatus.TIMED_OUT.withDescription(
          "Cannot stream training set: the client read nothing for " + WAIT_MILLIS / 1000 + " s").toRuntimeException();
      default -> throw CallStatus.INTERNAL.withDescription("Cannot stream training set: " + ready)
          .toRuntimeException();
    }
  }

  @Override
  public void finish() {
    // the content hash and the snapshots are known only once the join returns: the producer completes the stream
  }

  @Override
  public void abort(RuntimeException cause) {
    // the producer reports the failure to the client, once
  }
}
