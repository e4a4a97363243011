package dev.featurestore.offline;

import dev.featurestore.api.error.UnavailableException;
import java.io.IOException;
import java.time.Clock;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.arrow.flight.FlightServer;
import org.apache.arrow.flight.Location;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@link TrainingSetFlightService} on an Arrow Flight server with a bounded worker pool. */
final class FlightTrainingSetService implements TrainingSetFlightService {
  private static final Logger log = LoggerFactory.getLogger(FlightTrainingSetService.class);
  private static final long STOP_SECONDS = 5;

  private final FlightServer server;
  private final ExecutorService workers;
  private final BufferAllocator allocator;
  private final EntityUploads uploads;

  private FlightTrainingSetService(
      FlightServer server, ExecutorService workers, BufferAllocator allocator, EntityUploads uploads) {
    this.server = server;
    this.workers = workers;
    this.allocator = allocator;
    this.uploads = uploads;
  }

  static FlightTrainingSetService start(
      IcebergOfflineStore store, DefinitionVersions definitions, FlightServiceOptions options) {
    BufferAllocator allocator = new RootAllocator();
    EntityUploads uploads = new EntityUploads(
        options.uploadDirectory().resolve(UUID.randomUUID().toString()), options.uploadRetention(), Clock.systemUTC());
    ExecutorService workers = Executors.newFixedThreadPool(options.workers(), namedThreads());
    FlightServer server = FlightServer.builder(allocator, Location.forGrpcInsecure(options.host(), options.port()),
            new TrainingSetProducer(store, definitions, uploads, allocator))
        .executor(workers)
        .build();
    try {
      server.start();
    } catch (IOException | RuntimeException e) {
      workers.shutdownNow();
      uploads.close();
      allocator.close();
      throw new UnavailableException("Cannot start the Flight service on " + options.host() + ":" + options.port()
          + ": " + e.getMessage(), e);
    }
    log.info("Serving training sets over Arrow Flight on {}:{}", options.host(), server.getPort());
    return new FlightTrainingSetService(server, workers, allocator, uploads);
  }

  @Override
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS)) {
        log.warn("Flight calls still running after {} s; stopping them", STOP_SECONDS);
      }
      server.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      workers.shutdownNow();
      uploads.close();
      try {
        allocator.close();
      } catch (IllegalStateException e) {
        // a call cut off mid-stream may leave buffers behind; they die with the allocator's memory
        log.warn("Flight service released memory still in use: {}", e.getMessage());
      }
    }
  }

  private static ThreadFactory namedThreads() {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "flight-training-set-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
