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
import io.vertx.core.Vertx;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
 *   <li>{@code redis-cluster://[password@]host:port[,host:port...][?timeout=5s]}, {@code rediss-cluster://...}
 *       (TLS): a Redis Cluster, discovered from any of the listed nodes (one suffices; list several so that one
 *       being down does not stop a start). Its topology is refreshed when a node answers MOVED or ASK, on
 *       reconnects, when a slot has no node, and every minute. Reads stay one call: an MGET that Lettuce splits by
 *       hash slot and sends to the nodes in parallel. Example: {@code redis-cluster://10.0.0.1:6379,10.0.0.2:6379}.
 * </ul>
 *
 * <p>Every Redis form takes a <b>hot tier</b>: {@code hotEntries=N} starts an embedded Hazelcast member on this node
 * that caches the records of hot keys in front of Redis, at most N entries per view on each member (least recently
 * used evicted first). Redis stays the source of truth: a write goes to Redis, then removes its keys from the hot
 * tier of every node before it completes, so a read on any node never returns a record older than one whose write
 * was acknowledged; reads that miss are one MGET and are cached afterwards. The serving nodes form one hot cluster
 * with {@code hotCluster=NAME} (default {@code featurestore-hot}), {@code hotPort=P} (default 5701 with
 * auto-increment), {@code hotMembers=host:port,...} (TCP-IP join list, default {@code 127.0.0.1}) and
 * {@code hotInterface=IP} (the one address the member binds to, default {@code 127.0.0.1}: loopback, so nodes on
 * other machines need it). Every process that writes to the Redis must reach the one hot cluster, or its writes
 * do not invalidate the others' caches: a serving node as a member, another process as a client ({@code
 * hotClient=true}, which {@link #fromOutside} sets). Example:
 * {@code redis://10.0.0.1:6379?hotEntries=100000&hotInterface=10.0.0.2&hotPort=5801&hotMembers=10.0.0.2:5801,10.0.0.3:5801}.
 *
 * <p>With a hot tier, {@code nearEntries=M} adds a <b>near cache</b> on each serving node: up to M stored records per
 * view in the node's own heap, answered without any network call. A write then completes only after the near
 * cache of every node dropped its keys, so the rule above still holds; a node whose hot cluster loses a member stops
 * using its near cache until the remaining members know it again. A client ({@code hotClient=true}) keeps none.
 * Example: {@code redis://10.0.0.1:6379?hotEntries=100000&nearEntries=10000}.
 *
 * <p>Every form takes {@code expiryGrace=DURATION} ({@code 0}, {@code 90s}, {@code 2h}, {@code 7d}, ISO-8601
 * {@code PT1H}): the store removes the record of a key at its event timestamp + the view's TTL + this grace
 * (default: the view's TTL again). Views without a TTL never expire. Within the grace a read still finds the row
 * and the server reports it {@code OUTSIDE_MAX_AGE} (decided from the event timestamp and the server's clock, not
 * from the store); after it, the key is gone and reads report {@code NOT_FOUND}. Expiry follows the store's clock
 * (Redis's, or the owning Hazelcast member's). Example: {@code redis://10.0.0.1:6379?expiryGrace=1h}.
 *
 * <p>{@link #open} blocks until the member joined, the client connected or Redis answered, and fails with
 * {@link dev.featurestore.api.error.UnavailableException} when that does not happen; call it off any event loop.
 * The returned store owns what it started: {@link OnlineStore#close()} shuts the member, client or connection down.
 */
public final class OnlineStores {
  private static final String DEFAULT_CLUSTER = "featurestore";
  private static final String EXPIRY_GRACE = "expiryGrace";
  private static final String DEFAULT_HOT_CLUSTER = "featurestore-hot";
  private static final String HOT_ENTRIES = "hotEntries";
  private static final String NEAR_ENTRIES = "nearEntries";
  /** Set by {@link #fromOutside}: join the serving nodes' hot cluster as a client instead of as a member. */
  private static final String HOT_CLIENT = "hotClient";
  /** A member parameter (not in URIs): the member keeps a near cache, and says so in its member attributes. */
  private static final String NEAR_CACHE = "nearCache";
  /** The hot tier's parameters of a Redis URI, not passed on to Lettuce. */
  private static final Set<String> HOT_PARAMS =
      Set.of(HOT_ENTRIES, NEAR_ENTRIES, "hotCluster", "hotPort", "hotMembers", "hotInterface", "hotClient");

  private OnlineStores() {}

  /**
   * Opens the store a URI names (see the class documentation).
   *
   * @throws InvalidRequestException naming the URI when it is of no supported form
   * @throws dev.featurestore.api.error.UnavailableException when the store cannot be reached or started
   */
  public static OnlineStore open(String uri) {
    return open(uri, RedisLanes.lettuceThreads());
  }

  /**
   * Opens the store a URI names, for a server running on {@code vertx}: a Redis store keeps one connection per
   * event loop of {@code vertx} and does its network I/O there, so a read or write started on an event loop is
   * sent, answered and completed on that thread without a hand-off to another one (other callers use the first
   * connection). Close the store before {@code vertx}, whose event loops its connections run on. Other stores are
   * opened as by {@link #open(String)}.
   *
   * @throws InvalidRequestException naming the URI when it is of no supported form
   * @throws dev.featurestore.api.error.UnavailableException when the store cannot be reached or started
   */
  public static OnlineStore open(String uri, Vertx vertx) {
    return open(uri, RedisLanes.on(Objects.requireNonNull(vertx, "vertx")));
  }

  private static OnlineStore open(String uri, RedisLanes lanes) {
    if (uri == null || uri.isBlank()) {
      throw new InvalidRequestException("Cannot open online store '" + uri + "': the URI is empty");
    }
    String text = uri.trim();
    // A Sentinel master name is the fragment, after any query: set it aside before reading the query.
    String fragment = "";
    int hash = text.indexOf('#');
    if (hash >= 0 && text.startsWith("redis")) {
      fragment = text.substring(hash);
      text = text.substring(0, hash);
    }
    int query = text.indexOf('?');
    String base = query < 0 ? text : text.substring(0, query);
    Map<String, String> params = query < 0 ? Map.of() : parseQuery(uri, text.substring(query + 1));
    KeyExpiry expiry = params.containsKey(EXPIRY_GRACE) ? parseGrace(uri, params.get(EXPIRY_GRACE)) : KeyExpiry.DEFAULT;
    if (base.startsWith("redis-cluster://") || base.startsWith("rediss-cluster://")) {
      hotEntries(uri, params);
      if (!fragment.isEmpty()) {
        throw new InvalidRequestException("Cannot open online store '" + uri
            + "': a Redis Cluster has no master name; expected redis-cluster://host:port[,host:port...]");
      }
      return withHotTier(uri, params, RedisOnlineStore.connectCluster(clusterSeeds(uri, base, params), expiry, lanes), expiry);
    }
    if (base.startsWith("redis://") || base.startsWith("rediss://") || base.startsWith("redis-sentinel://")
        || base.startsWith("redis-socket://")) {
      hotEntries(uri, params);
      return withHotTier(uri, params, RedisOnlineStore.connect(redisUri(uri, base, params, fragment), expiry, lanes), expiry);
    }
    if (base.equals("hazelcast") || base.equals("hazelcast:embedded")) {
      checkParams(uri, params, Set.of("cluster", "port", "members", EXPIRY_GRACE));
      return new HazelcastOnlineStore(startMember(uri, params), expiry);
    }
    if (base.startsWith("hazelcast://")) {
      checkParams(uri, params, Set.of("cluster", "connectTimeoutMillis", EXPIRY_GRACE));
      return new HazelcastOnlineStore(startClient(uri, base.substring("hazelcast://".length()), params), expiry);
    }
    throw new InvalidRequestException(
        "Cannot open online store '" + uri + "': expected hazelcast, hazelcast:embedded, hazelcast://host:port,"
            + " redis://host:port, redis-sentinel://host:port#master or redis-cluster://host:port,host:port");
  }

  /**
   * The Redis store as it is, or behind a hot tier when the URI asks for one ({@code hotEntries}); the hot tier's
   * member is started here and owned by the returned store.
   */
  private static OnlineStore withHotTier(
      String uri, Map<String, String> params, RedisOnlineStore redis, KeyExpiry expiry) {
    if (!params.containsKey(HOT_ENTRIES)) {
      return redis;
    }
    try {
      Map<String, String> member = new LinkedHashMap<>();
      member.put("cluster", params.getOrDefault("hotCluster", DEFAULT_HOT_CLUSTER));
      if (params.containsKey("hotPort")) {
        member.put("port", params.get("hotPort"));
      }
      if (params.containsKey("hotMembers")) {
        member.put("members", params.get("hotMembers"));
      }
      if (params.containsKey("hotInterface")) {
        member.put("interface", params.get("hotInterface"));
      }
      boolean client = Boolean.parseBoolean(params.get(HOT_CLIENT));
      // A client (a writer from outside) keeps no near cache; it still invalidates the members' ones.
      int nearEntries = client ? 0 : nearEntries(uri, params);
      if (nearEntries > 0) {
        member.put(NEAR_CACHE, "true");
      }
      HazelcastInstance hot = client
          ? startClient(uri, params.getOrDefault("hotMembers", "127.0.0.1:" + params.getOrDefault("hotPort", "5701")),
              member)
          : startMember(uri, member);
      return new TieredOnlineStore(redis, hot, hotEntries(uri, params), nearEntries, expiry);
    } catch (RuntimeException e) {
      redis.close();
      throw e;
    }
  }

  /** The hot tier's bound, checked before anything connects; 0 when the URI asks for no hot tier. */
  private static int hotEntries(String uri, Map<String, String> params) {
    if (!params.containsKey(HOT_ENTRIES)) {
      for (String name : HOT_PARAMS) {
        if (params.containsKey(name)) {
          throw new InvalidRequestException(
              "Cannot open online store '" + uri + "': " + name + " needs hotEntries=N to turn the hot tier on");
        }
      }
      return 0;
    }
    int entries = positiveCount(uri, params, HOT_ENTRIES);
    if (params.containsKey("hotPort")) {
      parsePort(uri, params.get("hotPort"));
    }
    nearEntries(uri, params);
    return entries;
  }

  /** The near cache's bound per view, 0 when the URI asks for none. */
  private static int nearEntries(String uri, Map<String, String> params) {
    return params.containsKey(NEAR_ENTRIES) ? positiveCount(uri, params, NEAR_ENTRIES) : 0;
  }

  private static int positiveCount(String uri, Map<String, String> params, String name) {
    int count;
    try {
      count = Integer.parseInt(params.get(name));
    } catch (NumberFormatException e) {
      count = 0;
    }
    if (count <= 0) {
      throw new InvalidRequestException("Cannot open online store '" + uri + "': " + name + " '" + params.get(name)
          + "' is not a positive whole number");
    }
    return count;
  }

  /** A Lettuce URI of the base and the query without our own parameters (Lettuce refuses what it does not know). */
  private static RedisURI redisUri(String uri, String base, Map<String, String> params, String fragment) {
    StringBuilder query = new StringBuilder();
    for (Map.Entry<String, String> param : params.entrySet()) {
      if (!param.getKey().equals(EXPIRY_GRACE) && !HOT_PARAMS.contains(param.getKey())) {
        query.append(query.length() == 0 ? '?' : '&').append(encode(param.getKey())).append('=')
            .append(encode(param.getValue()));
      }
    }
    try {
      return RedisURI.create(base + query + fragment);
    } catch (RuntimeException e) {
      throw new InvalidRequestException("Cannot open online store '" + uri + "': " + e.getMessage(), e);
    }
  }

  /** One seed URI per listed node of a {@code redis-cluster://} URI, each with its credentials and query. */
  private static List<RedisURI> clusterSeeds(String uri, String base, Map<String, String> params) {
    boolean tls = base.startsWith("rediss-cluster://");
    String rest = base.substring(base.indexOf("://") + 3);
    int at = rest.lastIndexOf('@');
    String credentials = at < 0 ? "" : rest.substring(0, at + 1);
    String nodes = at < 0 ? rest : rest.substring(at + 1);
    if (nodes.endsWith("/")) {
      nodes = nodes.substring(0, nodes.length() - 1);
    }
    if (nodes.contains("/")) {
      throw new InvalidRequestException("Cannot open online store '" + uri
          + "': a Redis Cluster has only database 0; expected redis-cluster://host:port[,host:port...]");
    }
    List<String> hosts = splitList(nodes);
    if (hosts.isEmpty()) {
      throw new InvalidRequestException("Cannot open online store '" + uri + "': no node address");
    }
    List<RedisURI> seeds = new ArrayList<>(hosts.size());
    for (String host : hosts) {
      seeds.add(redisUri(uri, (tls ? "rediss://" : "redis://") + credentials + host, params, ""));
    }
    return seeds;
  }

  private static KeyExpiry parseGrace(String uri, String text) {
    try {
      return KeyExpiry.parse(text);
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("Cannot open online store '" + uri + "': " + e.getMessage(), e);
    }
  }

  /**
   * The URI under which another process reaches the same data as {@code uri}. For an embedded Hazelcast member,
   * whose data lives inside the process that started it, that is a client of its cluster: same cluster name, its
   * members (or its port on 127.0.0.1, 5701 by default) as addresses. A Redis URI with a hot tier gets
   * {@code hotClient=true}: the other process writes to Redis and invalidates the serving nodes' hot tier as a client
   * of their hot cluster (at {@code hotMembers}, or {@code hotPort} on 127.0.0.1) rather than joining it as a member.
   * Every other URI already names a shared store and is returned as is.
   *
   * @throws InvalidRequestException naming the URI when it is malformed
   */
  public static String fromOutside(String uri) {
    String text = uri == null ? "" : uri.trim();
    int query = text.indexOf('?');
    String base = query < 0 ? text : text.substring(0, query);
    if (base.startsWith("redis") && text.contains(HOT_ENTRIES + "=")) {
      // The hot tier's members live in the serving nodes; another process that writes must still invalidate their
      // caches, so it joins their cluster, as a client (no member joining and leaving, no partition migration).
      int hash = text.indexOf('#');
      String fragment = hash < 0 ? "" : text.substring(hash);
      String rest = hash < 0 ? text : text.substring(0, hash);
      return rest.contains(HOT_CLIENT + "=") ? uri : rest + "&" + HOT_CLIENT + "=true" + fragment;
    }
    if (!base.equals("hazelcast") && !base.equals("hazelcast:embedded")) {
      return uri;
    }
    Map<String, String> params = query < 0 ? Map.of() : parseQuery(uri, text.substring(query + 1));
    checkParams(uri, params, Set.of("cluster", "port", "members", EXPIRY_GRACE));
    String addresses = params.containsKey("members")
        ? String.join(",", splitList(params.get("members")))
        : "127.0.0.1:" + (params.containsKey("port") ? parsePort(uri, params.get("port")) : 5701);
    // Writers from outside set expiries too, and must set the same ones.
    String grace = params.containsKey(EXPIRY_GRACE) ? "&" + EXPIRY_GRACE + "=" + encode(params.get(EXPIRY_GRACE)) : "";
    return "hazelcast://" + addresses + "?cluster=" + params.getOrDefault("cluster", DEFAULT_CLUSTER) + grace;
  }

  private static HazelcastInstance startMember(String uri, Map<String, String> params) {
    quietHazelcast();
    Config config = new Config();
    config.setClusterName(params.getOrDefault("cluster", DEFAULT_CLUSTER));
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.phone.home.enabled", "false");
    // Loopback only unless the hot tier names an interface: bind to that address and nothing else, so a member
    // never joins or exposes anything beyond what was asked.
    config.setProperty("hazelcast.socket.bind.any", "false");
    // A TCP-IP join list is known up front; waiting for stragglers only delays a single-node start.
    config.setProperty("hazelcast.wait.seconds.before.join", "1");
    NetworkConfig network = config.getNetworkConfig();
    if (params.containsKey("port")) {
      network.setPort(parsePort(uri, params.get("port"))).setPortAutoIncrement(false);
    } else {
      network.setPort(5701).setPortAutoIncrement(true);
    }
    network.getInterfaces().setEnabled(true).addInterface(params.getOrDefault("interface", "127.0.0.1"));
    if (params.containsKey(NEAR_CACHE)) {
      // Part of the member list every member and client receives: writers invalidate exactly these members.
      config.getMemberAttributeConfig().setAttribute(NearCacheInvalidator.NEAR_CACHE_ATTRIBUTE, "true");
    }
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

  private static String encode(String text) {
    return URLEncoder.encode(text, StandardCharsets.UTF_8);
  }

  private static String decode(String text) {
    return URLDecoder.decode(text, StandardCharsets.UTF_8);
  }
}
