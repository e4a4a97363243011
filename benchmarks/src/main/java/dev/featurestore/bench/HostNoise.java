package dev.featurestore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What of the machine itself disturbs tail latencies, said once at the start of a run so that its figures are read
 * with it in mind.
 *
 * <p>Why DAMON: on the development machine the kernel's data access monitor (kdamond, physical-address mode) sampled
 * memory every 500 ms, and each sample stalled every process with a large resident heap for 20-35 ms: the latency
 * trace ({@code --trace-dir}) of the 10x50 shape showed a stall every 0.54 s, and its p99 went from 25-28 ms to 3.4
 * ms with the monitor switched off for one run (2026-12-06).
 */
final class HostNoise {
  private static final Path KDAMONDS = Path.of("/sys/kernel/mm/damon/admin/kdamonds");

  private HostNoise() {}

  /** A line naming each running kernel memory monitor and how often it samples; empty when none runs. */
  static Optional<String> describe() {
    List<String> running = new ArrayList<>();
    try (Stream<Path> kdamonds = Files.list(KDAMONDS)) {
      for (Path kdamond : kdamonds.filter(Files::isDirectory).sorted().toList()) {
        if (read(kdamond.resolve("state")).equals("on")) {
          String sample = read(kdamond.resolve("contexts/0/monitoring_attrs/intervals/sample_us"));
          String ops = read(kdamond.resolve("contexts/0/operations"));
          running.add(String.format(Locale.ROOT, "kdamond %s (%s, a sample every %s us)", kdamond.getFileName(),
              ops.isEmpty() ? "?" : ops, sample.isEmpty() ? "?" : sample));
        }
      }
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // no DAMON on this kernel, or not readable: nothing to say
    }
    if (running.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("Note: the kernel's memory access monitor is running: " + String.join(", ", running)
        + ". Each sample can stall processes with large heaps for tens of milliseconds, which shows in the p99"
        + " (--trace-dir shows when the slow requests were).");
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return "";
    }
  }
}
