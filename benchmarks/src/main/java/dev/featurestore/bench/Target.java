package dev.featurestore.bench;

/** Something the shapes are run against: the service over gRPC on one store, or raw Lettuce reads of Redis. */
interface Target {

  /** The name in the report and on the command line, for example {@code service-redis}. */
  String name();

  /** The requests of {@code pool} for this target, built once before the run so a run only sends. */
  Caller prepare(Shape shape, RequestPool pool);
}
