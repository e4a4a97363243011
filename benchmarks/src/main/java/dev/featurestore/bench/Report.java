package dev.featurestore.bench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Prints each run as it ends and, at the end, one table of every shape and target with the ratios. */
final class Report {
  private static final String BASELINE = "baseline-redis";
  private static final String FLOOR = "grpc-floor";
  private static final String SERVICE = "service-redis";

  private final PrintStream out;
  private final Map<String, Map<String, Row>> rows = new LinkedHashMap<>();

  /**
   * One measured run.
   *
   * @param cpu where the machine's CPU went during the run, per answered request
   * @param serverTime the server's own mean times, from its meters; null for targets that bypass the server
   */
  record Row(Shape shape, String target, LatencySummary latency, LatencySummary sendLag, OpenLoop.Result result,
      CpuShare cpu, ServerTimes.Split serverTime) {}

  /** The CPU time so far of the servers' JVM, the generator's JVM and Redis (-1: unknown), at {@code wallNanos}. */
  record CpuReading(long wallNanos, long serverNanos, long generatorNanos, long redisNanos) {}

  /**
   * CPU time per answered request of the servers' JVM (all its threads; NaN for targets that do not go through it),
   * of the load generator's JVM and of Redis, and how busy that kept the machine's cores: unlike latency, hardly
   * disturbed by other load, and the busy share tells how much idle headroom a tail latency target had.
   */
  record CpuShare(double serverMicros, double generatorMicros, double redisMicros, double busyPercent) {
    static CpuShare between(CpuReading before, CpuReading after, long requests, boolean throughServer) {
      double n = Math.max(1, requests);
      long server = after.serverNanos() - before.serverNanos();
      long generator = after.generatorNanos() - before.generatorNanos();
      long redis = before.redisNanos() < 0 || after.redisNanos() < 0 ? 0 : after.redisNanos() - before.redisNanos();
      double wall = Math.max(1, after.wallNanos() - before.wallNanos());
      double busy = 100.0 * (server + generator + redis) / (wall * Runtime.getRuntime().availableProcessors());
      return new CpuShare(throughServer && requests > 0 ? server / 1e3 / n : Double.NaN, generator / 1e3 / n,
          before.redisNanos() < 0 ? Double.NaN : redis / 1e3 / n, busy);
    }
  }

  Report(PrintStream out) {
    this.out = out;
  }

  void shapeStarted(Shape shape, String run) {
    out.printf(Locale.ROOT, "%nshape %s: %s; %s%n", shape.name(), shape.describe(), run);
    out.println(header());
    out.flush();
  }

  void add(Shape shape, String target, OpenLoop.Result result, CpuShare cpu, ServerTimes.Split serverTime) {
    Row row = new Row(shape, target, LatencySummary.of(result.latencyNanos()),
        LatencySummary.of(result.sendLagNanos()), result, cpu, serverTime);
    rows.computeIfAbsent(shape.name(), name -> new LinkedHashMap<>()).put(target, row);
    out.println(line("", row));
    if (result.firstError() != null) {
      out.println("      first error: " + result.firstError());
    }
    out.flush();
  }

  void shapeEnded(Shape shape) {
    ratios(rows.getOrDefault(shape.name(), Map.of())).forEach(out::println);
    out.flush();
  }

  void summary() {
    out.printf("%nsummary (milliseconds, from the intended send time to the answer)%n");
    out.println(header());
    for (Map<String, Row> byTarget : rows.values()) {
      boolean first = true;
      for (Row row : byTarget.values()) {
        out.println(line(first ? row.shape().name() : "", row));
        first = false;
      }
      ratios(byTarget).forEach(out::println);
    }
    timeSplit();
    out.flush();
  }

  /**
   * Per service run, means in microseconds: what the generator saw, the server's part by its own meters (store,
   * encode, and the rest: parsing the request and finding its keys, for HTTP/JSON also reading and writing the JSON),
   * and what lies outside the server's handler (the client's encoding and decoding, the gRPC and HTTP/2 framing on
   * both sides, the transport and the wake-ups of both event loops). Means, because they add up where percentiles do
   * not.
   */
  private void timeSplit() {
    out.printf("%nwhere the time went (means in microseconds; the server's parts from its GET /metrics)%n");
    out.println(String.format(Locale.ROOT, "  %-9s %-18s %9s %9s %9s %9s %9s %14s", "shape", "target", "client",
        "server", "store", "encode", "other", "outside server"));
    for (Map<String, Row> byTarget : rows.values()) {
      boolean first = true;
      for (Row row : byTarget.values()) {
        ServerTimes.Split server = row.serverTime();
        if (server == null) {
          continue;
        }
        double client = meanMicros(row);
        out.println(String.format(Locale.ROOT, "  %-9s %-18s %9s %9s %9s %9s %9s %14s",
            first ? row.shape().name() : "", row.target(), micros(client), micros(server.serverMicros()),
            micros(server.storeMicros()), micros(server.encodeMicros()),
            micros(server.serverMicros() - server.storeMicros() - server.encodeMicros()),
            micros(client - server.serverMicros())));
        first = false;
      }
    }
    floorBounds();
  }

  /**
   * Per shape with the baseline and grpc-floor runs: the best mean service/baseline ratio any gRPC service in front
   * of Redis could reach here, (baseline + floor) / baseline, since it does the baseline's read plus one bare gRPC
   * exchange of the same sizes; beside it the service-redis ratio of means.
   */
  private void floorBounds() {
    List<String> lines = new ArrayList<>();
    for (Map<String, Row> byTarget : rows.values()) {
      Row baseline = byTarget.get(BASELINE);
      Row floor = byTarget.get(FLOOR);
      if (baseline == null || floor == null) {
        continue;
      }
      double base = meanMicros(baseline);
      double hop = meanMicros(floor);
      Row service = byTarget.get(SERVICE);
      lines.add(String.format(Locale.ROOT, "  %-9s %9s %10s %12s %14s", baseline.shape().name(), micros(base),
          micros(hop), LatencySummary.ratio(base + hop, base),
          service == null ? "-" : LatencySummary.ratio(meanMicros(service), base)));
    }
    if (lines.isEmpty()) {
      return;
    }
    out.printf("%nthe floor of a gRPC service on Redis here (means in microseconds): the baseline's read plus one"
        + " bare gRPC exchange of the same sizes%n");
    out.println(String.format(Locale.ROOT, "  %-9s %9s %10s %12s %14s", "shape", "baseline", "grpc-floor",
        "best ratio", "service-redis"));
    lines.forEach(out::println);
  }

  private static List<String> ratios(Map<String, Row> byTarget) {
    List<String> lines = new ArrayList<>();
    Row baseline = byTarget.get(BASELINE);
    if (baseline == null) {
      return lines;
    }
    for (Row row : byTarget.values()) {
      if (row != baseline) {
        lines.add(String.format(Locale.ROOT, "  %-9s %s / %s: p50 %s, p99 %s", "", row.target(), BASELINE,
            LatencySummary.ratio(row.latency().p50Millis(), baseline.latency().p50Millis()),
            LatencySummary.ratio(row.latency().p99Millis(), baseline.latency().p99Millis())));
      }
    }
    return lines;
  }

  private static String header() {
    return String.format(Locale.ROOT, "  %-9s %-18s %8s %8s %8s %8s %8s %9s %7s %9s %12s %12s %14s %6s", "shape",
        "target", "p50", "p90", "p99", "p99.9", "max", "req/s", "errors", "lag p99", "srv cpu us/r", "gen cpu us/r",
        "redis cpu us/r", "busy");
  }

  private static String line(String shape, Row row) {
    LatencySummary l = row.latency();
    CpuShare cpu = row.cpu();
    return String.format(Locale.ROOT, "  %-9s %-18s %8s %8s %8s %8s %8s %9.1f %7d %9s %12s %12s %14s %5.0f%%", shape,
        row.target(),
        LatencySummary.millisText(l.p50Millis()), LatencySummary.millisText(l.p90Millis()),
        LatencySummary.millisText(l.p99Millis()), LatencySummary.millisText(l.p999Millis()),
        LatencySummary.millisText(l.maxMillis()), row.result().achievedRate(), row.result().errors(),
        LatencySummary.millisText(row.sendLag().p99Millis()),
        micros(cpu.serverMicros()), micros(cpu.generatorMicros()), micros(cpu.redisMicros()), cpu.busyPercent());
  }

  /** The mean latency of a run, from the intended send time, in microseconds. */
  private static double meanMicros(Row row) {
    return row.result().latencyNanos().getMean() / 1e3;
  }

  private static String micros(double value) {
    return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.0f", value);
  }
}
