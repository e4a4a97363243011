package dev.featurestore.bench;

import java.util.SplittableRandom;

/**
 * The entity ids of a fixed set of requests of one shape, drawn once so that every target sends exactly the same
 * reads: request {@code i} of a run is {@code request(i % size())} for the service and the baseline alike. Ids are
 * distinct within a request and uniform over the loaded entities.
 */
final class RequestPool {
  private final long[] users;
  private final long[][] entities;

  private RequestPool(long[] users, long[][] entities) {
    this.users = users;
    this.entities = entities;
  }

  /**
   * Draws {@code size} requests of {@code shape} over ids {@code 0..entityCount-1}.
   *
   * @throws IllegalArgumentException when a request needs more distinct entities than were loaded
   */
  static RequestPool draw(Shape shape, int entityCount, int size, long seed) {
    if (shape.entities() > entityCount) {
      throw new IllegalArgumentException("Cannot draw requests of shape " + shape.name() + ": it needs "
          + shape.entities() + " distinct entities, only " + entityCount + " are loaded (raise --entities)");
    }
    SplittableRandom random = new SplittableRandom(seed ^ shape.name().hashCode());
    long[] users = new long[size];
    long[][] entities = new long[size][];
    for (int i = 0; i < size; i++) {
      users[i] = random.nextInt(entityCount);
      entities[i] = distinct(random, shape.entities(), entityCount);
    }
    return new RequestPool(users, entities);
  }

  int size() {
    return entities.length;
  }

  /** The entity (or, for ranking, item) ids of request {@code index}. Callers must not modify the array. */
  long[] entities(int index) {
    return entities[index];
  }

  /** The user id of ranking request {@code index}. */
  long user(int index) {
    return users[index];
  }

  /** {@code count} distinct ids below {@code bound}: Floyd's sampling, without building the whole range. */
  private static long[] distinct(SplittableRandom random, int count, int bound) {
    java.util.Set<Integer> chosen = new java.util.LinkedHashSet<>();
    for (int j = bound - count; j < bound; j++) {
      int candidate = random.nextInt(j + 1);
      chosen.add(chosen.contains(candidate) ? j : candidate);
    }
    long[] ids = new long[count];
    int i = 0;
    for (int id : chosen) {
      ids[i++] = id;
    }
    return ids;
  }
}
