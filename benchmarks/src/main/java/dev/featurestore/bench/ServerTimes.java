package dev.featurestore.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a service target's time went, from the server's own meters ({@code GET /metrics}, Prometheus text): read
 * before and after a measured run, the difference gives the mean server time of its successful GetOnlineFeatures
 * calls and of their two phases, store and encode. Set beside the latency the generator saw, it splits a request's
 * time into the server's part and the rest (the client's encoding and decoding and the transport both ways).
 */
final class ServerTimes {
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)\\})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  /**
   * HTTP/1.1, as Prometheus scrapes: with the JDK client's default (HTTP/2 by an h2c upgrade) one scrape of a
   * default run failed with an HTTP/2 protocol error (a frame of type 116, 't'), the answer's text read as frames.
   */
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10)).build();

  /** The meters' totals at one moment: successful reads over {@code protocol}, their seconds, the phases' seconds. */
  record Reading(double calls, double seconds, double phases, double storeSeconds, double encodeSeconds) {}

  /**
   * Mean microseconds per successful read between two readings: in the server, and of that in the store phase
   * and in the encode phase; NaN when no read completed.
   */
  record Split(double serverMicros, double storeMicros, double encodeMicros) {
    static Split between(Reading before, Reading after) {
      double calls = after.calls() - before.calls();
      double phases = after.phases() - before.phases();
      return new Split(micros(after.seconds() - before.seconds(), calls),
          micros(after.storeSeconds() - before.storeSeconds(), phases),
          micros(after.encodeSeconds() - before.encodeSeconds(), phases));
    }

    private static double micros(double seconds, double count) {
      return count > 0 ? seconds * 1e6 / count : Double.NaN;
    }
  }

  /** The totals of the server on {@code port} for GetOnlineFeatures over {@code protocol} (grpc or http). */
  Reading read(int port, String protocol) {
    Map<String, Double> samples = scrape(port);
    Map<String, String> ok = Map.of("call", "get_online_features", "protocol", protocol, "status", "OK");
    return new Reading(
        sample(samples, "fstore_online_requests_seconds_count", ok),
        sample(samples, "fstore_online_requests_seconds_sum", ok),
        sample(samples, "fstore_online_read_phase_seconds_count", Map.of("phase", "store")),
        sample(samples, "fstore_online_read_phase_seconds_sum", Map.of("phase", "store")),
        sample(samples, "fstore_online_read_phase_seconds_sum", Map.of("phase", "encode")));
  }

  private Map<String, Double> scrape(int port) {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> response;
    try {
      response = http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("Cannot read the meters of the server on port " + port + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while reading the meters of the server on port " + port, e);
    }
    if (response.statusCode() != 200) {
      throw new IllegalStateException("Cannot read the meters of the server on port " + port + ": GET /metrics"
          + " answered HTTP " + response.statusCode());
    }
    Map<String, Double> samples = new HashMap<>();
    for (String line : response.body().split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (line.startsWith("#") || !sample.matches()) {
        continue;
      }
      Map<String, String> labels = new TreeMap<>();
      if (sample.group(2) != null) {
        Matcher label = LABEL.matcher(sample.group(2));
        while (label.find()) {
          labels.put(label.group(1), label.group(2));
        }
      }
      samples.put(sample.group(1) + labels, Double.parseDouble(sample.group(3)));
    }
    return samples;
  }

  /** A series' value; 0 when absent (a meter the server has not recorded into yet). */
  private static double sample(Map<String, Double> samples, String name, Map<String, String> labels) {
    return samples.getOrDefault(name + new TreeMap<>(labels), 0.0);
  }
}
