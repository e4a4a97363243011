package dev.featurestore.online;

import com.hazelcast.client.HazelcastClient;
import com.hazelcast.client.config.ClientConfig;
import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.online.spi.OnlineStore;
import io.lettuce.core.RedisURI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Opens an {@link OnlineStore} from a URI. The forms:
 *
 * <ul>
 *   <li>{@code hazelcast} or {@code hazelcast:embedded}: starts an embedded Hazelcast member that keeps the data
 *       in this JVM (the default of a single-node deployment). Optional query parameters:
 *       {@code ?cluster=NAME} (default {@code featurestore}), {@code port=P} (default 5701 with auto-increment;
 *       an explicit port is used as is), {@code members=127.0.0.1:5701,127.0.0.1:5702} (TCP-IP join list, default
 *       {@code 127.0.0.1}). Members bind to and join over loopback only; multicast and phone-home are off and
 *       Hazelcast logs through SLF4J. Example: {@code hazelcast:embedded?cluster=fs&port=5801&members=127.0.0.1:5801,127.0.0.1:5802}.
 *   <li>{@code hazelcast://host:port[,host:port...][?cluster=NAME]}: a Hazelcast client of an existing cluster whose
 *       members have this module's jar on their classpath (the write entry processor runs there). Gives up
 *       connecting after {@code connectTimeoutMillis} (query parameter, default 10000).
 *   <li>{@code redis://[password@]host[:port][/database][?timeout=5s]}, {@code rediss://...} (TLS),
 *       {@code redis-sentinel://host:port[,host:port]/database#masterName}, {@code redis-socket:///path}: a Lettuce
 *       connection to a standalone Redis server or to the master that Sentinel names. Redis 2.6 or later (Lua).
 * </ul>
 *
 * <p>{@link #open} blocks until the member joined, the client connected or Redis answered, and fails with
 * {@link dev.featurestore.api.error.UnavailableException} when that does not happen; call it off any event loop.
 * The returned store owns what it started: {@link OnlineStore#close()} shuts the member, client or connection down.
 */
public final class OnlineStores {
  private static final String DEFAULT_CLUSTER = "featurestore";

  private OnlineStores() {}

  /**
   * Opens the store a URI names (see the class documentation).
   *
   * @throws InvalidRequestException naming the URI when it is of no supported form
   * @throws dev.featurestore.api.error.UnavailableException when the store cannot be reached or started
   */
  public static OnlineStore open(String uri) {
    if (uri == null || uri.isBlank()) {
      throw new InvalidRequestException("Cannot open online store '" + uri + "': the URI is empty");
    }
    String text = uri.trim();
    if (text.startsWith("redis://") || text.startsWith("rediss://") || text.startsWith("redis-sentinel://")
        || text.startsWith("redis-socket://")) {
      RedisURI redisUri;
      try {
        redisUri = RedisURI.create(text);
      } catch (RuntimeException e) {
        throw new InvalidRequestException("Cannot open online store '" + uri + "': " + e.getMessage(), e);
      }
      return RedisOnlineStore.connect(redisUri);
    }
    int query = text.indexOf('?');
    String base = query < 0 ? text : text.substring(0, query);
    Map<String, String> params = query < 0 ? Map.of() : parseQuery(uri, text.substring(query + 1));
    if (base.equals("hazelcast") || base.equals("hazelcast:embedded")) {
      checkParams(uri, params, Set.of("cluster", "port", "members"));
      return new HazelcastOnlineStore(startMember(uri, params));
    }
    if (base.startsWith("hazelcast://")) {
      checkParams(uri, params, Set.of("cluster", "connectTimeoutMillis"));
      return new HazelcastOnlineStore(startClient(uri, base.substring("hazelcast://".length()), params));
    }
    throw new InvalidRequestException(
        "Cannot open online store '" + uri + "': expected hazelcast, hazelcast:embedded, hazelcast://host:port or"
            + " redis://host:port");
  }

  /**
   * The URI under which another process reaches the same data as {@code uri}. For an embedded Hazelcast member,
   * whose data lives inside the process that started it, that is a client of its cluster: same cluster name, its
   * members (or its port on 127.0.0.1, 5701 by default) as addresses. Every other URI already names a shared store
   * and is returned as is.
   *
   * @throws InvalidRequestException naming the URI when it is malformed
   */
  public static String fromOutside(String uri) {
    String text = uri == null ? "" : uri.trim();
    int query = text.indexOf('?');
    String base = query < 0 ? text : text.substring(0, query);
    if (!base.equals("hazelcast") && !base.equals("hazelcast:embedded")) {
      return uri;
    }
    Map<String, String> params = query < 0 ? Map.of() : parseQuery(uri, text.substring(query + 1));
    checkParams(uri, params, Set.of("cluster", "port", "members"));
    String addresses = params.containsKey("members")
        ? String.join(",", splitList(params.get("members")))
        : "127.0.0.1:" + (params.containsKey("port") ? parsePort(uri, params.get("port")) : 5701);
    return "hazelcast://" + addresses + "?cluster=" + params.getOrDefault("cluster", DEFAULT_CLUSTER);
  }

  private static HazelcastInstance startMember(String uri, Map<String, String> params) {
    quietHazelcast();
    Config config = new Config();
    config.setClusterName(params.getOrDefault("cluster", DEFAULT_CLUSTER));
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Loopback only: bind to 127.0.0.1 and nothing else, so an embedded member never joins or exposes anything
    // beyond this machine.
    config.setProperty("hazelcast.socket.bind.any", "false");
    // A TCP-IP join list is known up front; waiting for stragglers only delays a single-node start.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    NetworkConfig network = config.getNetworkConfig();
    if (params.containsKey("port")) {
      network.setPort(parsePort(uri, params.get("port"))).setPortAutoIncrement(false);
    } else {
      network.setPort(5701).setPortAutoIncrement(true);
    }
    network.getInterfaces().setEnabled(true).addInterface("127.0.0.1");
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(splitList(params.getOrDefault("members", "127.0.0.1")));
    try {
      return Hazelcast.newHazelcastInstance(config);
    } catch (RuntimeException e) {
      throw StoreFailures.translate(e, "start a Hazelcast member for '" + uri + "'");
    }
  }

  private static HazelcastInstance startClient(String uri, String addresses, Map<String, String> params) {
    quietHazelcast();
    if (addresses.isBlank()) {
      throw new InvalidRequestException("Cannot open online store '" + uri + "': no member address");
    }
    ClientConfig config = new ClientConfig();
    config.setClusterName(params.getOrDefault("cluster", DEFAULT_CLUSTER));
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.getNetworkConfig().setAddresses(splitList(addresses));
    long timeout;
    try {
      timeout = Long.parseLong(params.getOrDefault("connectTimeoutMillis", "10000"));
    } catch (NumberFormatException e) {
      throw new InvalidRequestException(
          "Cannot open online store '" + uri + "': connectTimeoutMillis '" + params.get("connectTimeoutMillis")
              + "' is not a number");
    }
    // The default retries forever; a server that cannot reach its store should fail its start instead.
    config.getConnectionStrategyConfig().getConnectionRetryConfig().setClusterConnectTimeoutMillis(timeout);
    try {
      return HazelcastClient.newHazelcastClient(config);
    } catch (RuntimeException e) {
      throw StoreFailures.translate(e, "connect a Hazelcast client to '" + uri + "'");
    }
  }

  private static void quietHazelcast() {
    // Read by Hazelcast as a system property only in some code paths; set it before the first instance starts.
    if (System.getProperty("hazelcast.phone.home.enabled") == null) {
      System.setProperty("hazelcast.phone.home.enabled", "false");
    }
    if (System.getProperty("hazelcast.logging.type") == null) {
      System.setProperty("hazelcast.logging.type", "slf4j");
    }
  }

  private static Map<String, String> parseQuery(String uri, String query) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String pair : query.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new InvalidRequestException(
            "Cannot open online store '" + uri + "': query parameter '" + pair + "' is not name=value");
      }
      params.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
    }
    return params;
  }

  private static void checkParams(String uri, Map<String, String> params, Set<String> known) {
    for (String name : params.keySet()) {
      if (!known.contains(name)) {
        throw new InvalidRequestException(
            "Cannot open online store '" + uri + "': unknown query parameter '" + name + "' (known: "
                + String.join(", ", known.stream().sorted().toList()) + ")");
      }
    }
  }

  private static int parsePort(String uri, String text) {
    try {
      int port = Integer.parseInt(text);
      if (port > 0 && port < 65536) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidRequestException("Cannot open online store '" + uri + "': port '" + text + "' is not 1-65535");
  }

  private static List<String> splitList(String text) {
    List<String> items = new ArrayList<>();
    for (String item : text.split(",")) {
      if (!item.isBlank()) {
        items.add(item.trim());
      }
    }
    return items;
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
