package dev.featurestore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Runs one shape against one target at a fixed rate, open loop: request {@code i} is sent at its intended time
 * ({@link Schedule}) whether or not earlier ones were answered, so many are in flight when the target is slow, and
 * each latency runs from the intended send time to the answer. A generator that wakes late therefore charges its
 * lateness to the requests (as a real client would see it); the send lag is recorded separately so the report can
 * show how much of the latency is the generator's.
 *
 * <p>Sends on the calling thread; answers are recorded from whatever thread completes them (HdrHistogram
 * {@link Recorder}s are wait-free for writers). Requests not answered within {@code drain} after the last send count
 * as errors; {@link #awaitIdle} then waits for them before the next run.
 */
final class OpenLoop {
  /** Answers slower than this are clamped; a latency past a minute means the run is meaningless anyway. */
  private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Duration drain;
  /** The in-flight count of the latest run, which late answers keep decrementing after it returned. */
  private AtomicLong lastOutstanding = new AtomicLong();

  OpenLoop(Duration drain) {
    this.drain = drain;
  }

  /**
   * What one run measured.
   *
   * @param latencyMicrosBySend per request in send order, its latency in microseconds, -1 where it failed or was not
   *     answered: where in the run the slow ones were (periodic stalls show as a cadence)
   */
  record Result(Histogram latencyNanos, Histogram sendLagNanos, long sent, long completed, long errors,
      double seconds, String firstError, long[] latencyMicrosBySend) {

    double achievedRate() {
      return seconds > 0 ? completed / seconds : 0;
    }

    /**
     * Writes {@code file}: a line per request, its intended send time from the run's start and its latency, both in
     * milliseconds ({@code -1} for a failed or unanswered one).
     */
    void writeTrace(Path file, double rate) throws IOException {
      StringBuilder text = new StringBuilder("# intended_ms latency_ms\n");
      for (int i = 0; i < latencyMicrosBySend.length; i++) {
        long micros = latencyMicrosBySend[i];
        text.append(String.format(Locale.ROOT, "%.3f %s%n", i * 1000 / rate,
            micros < 0 ? "-1" : String.format(Locale.ROOT, "%.3f", micros / 1000.0)));
      }
      Files.writeString(file, text);
    }
  }

  /**
   * Waits until every request of the latest run was answered, at most {@code max}, so that the backlog of an
   * overloaded run does not slow the next one down; returns how many are still unanswered.
   */
  long awaitIdle(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    while (lastOutstanding.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    return lastOutstanding.get();
  }

  Result run(Caller caller, int poolSize, double rate, Duration duration) {
    Recorder latency = new Recorder(HIGHEST_NANOS, 3);
    Recorder lag = new Recorder(HIGHEST_NANOS, 3);
    AtomicLong completed = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong outstanding = new AtomicLong();
    lastOutstanding = outstanding;
    AtomicLong lastAnswer = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    Schedule schedule = new Schedule(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1), rate);
    long count = schedule.count(duration);
    long[] latencyMicros = new long[Math.toIntExact(count)];
    Arrays.fill(latencyMicros, -1);
    for (long i = 0; i < count; i++) {
      long intended = schedule.intendedNanos(i);
      long now = System.nanoTime();
      while (now < intended) {
        LockSupport.parkNanos(intended - now);
        now = System.nanoTime();
      }
      lag.recordValue(Math.min(now - intended, HIGHEST_NANOS));
      outstanding.incrementAndGet();
      int sent = (int) i;
      try {
        caller.call((int) (i % poolSize), failure -> {
          long answered = System.nanoTime();
          if (failure == null) {
            latency.recordValue(Math.min(answered - intended, HIGHEST_NANOS));
            latencyMicros[sent] = (answered - intended) / 1000;
            completed.incrementAndGet();
          } else {
            errors.incrementAndGet();
            firstError.compareAndSet(null, String.valueOf(failure));
          }
          lastAnswer.accumulateAndGet(answered, Math::max);
          outstanding.decrementAndGet();
        });
      } catch (RuntimeException e) {
        errors.incrementAndGet();
        firstError.compareAndSet(null, String.valueOf(e));
        outstanding.decrementAndGet();
      }
    }
    long deadline = System.nanoTime() + drain.toNanos();
    while (outstanding.get() > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    long unanswered = outstanding.get();
    if (unanswered > 0) {
      firstError.compareAndSet(null, unanswered + " requests unanswered " + drain.toMillis() + " ms after the last send");
    }
    long end = Math.max(lastAnswer.get(), schedule.intendedNanos(count - 1));
    return new Result(latency.getIntervalHistogram(), lag.getIntervalHistogram(), count, completed.get(),
        errors.get() + unanswered, (end - schedule.startNanos()) / 1e9, firstError.get(), latencyMicros);
  }
}
