package dev.featurestore.bench;

import java.util.List;
import java.util.Locale;

/**
 * One request shape of the published feature store benchmarks, with the rate it is sent at.
 *
 * @param name how the shape is named on the command line and in the report, for example {@code 100x50}
 * @param kind which views a request reads
 * @param entities entity rows per request (for RANKING: items, all with the same user)
 * @param features features per view read
 * @param rate requests per second
 */
record Shape(String name, Kind kind, int entities, int features, double rate) {

  /** What a request reads. */
  enum Kind {
    /** {@code entities} rows of the wide view, its first {@code features} features. */
    WIDE,
    /** One user and {@code entities} items: every feature of the user view and of the item view for each row. */
    RANKING
  }

  Shape {
    if (entities < 1 || features < 1 || !(rate > 0)) {
      throw new IllegalArgumentException("Cannot define shape '" + name + "': entities " + entities + ", features "
          + features + " and rate " + rate + " must be positive");
    }
  }

  /** The shapes of the published runs, at the rates the targets are stated for. */
  static List<Shape> published() {
    return List.of(
        new Shape("1x250", Kind.WIDE, 1, BenchData.WIDE_FEATURES, 2000),
        new Shape("1x50", Kind.WIDE, 1, 50, 2000),
        new Shape("10x50", Kind.WIDE, 10, 50, 1000),
        new Shape("50x50", Kind.WIDE, 50, 50, 500),
        new Shape("100x50", Kind.WIDE, 100, 50, 500),
        new Shape("ranking", Kind.RANKING, 500, BenchData.RANKING_FEATURES, 100));
  }

  Shape withRate(double newRate) {
    return new Shape(name, kind, entities, features, newRate);
  }

  String describe() {
    return switch (kind) {
      case WIDE -> String.format(Locale.ROOT, "%d entit%s x %d features, %.0f req/s", entities,
          entities == 1 ? "y" : "ies", features, rate);
      case RANKING -> String.format(Locale.ROOT, "1 user + %d items x %d features over two views, %.0f req/s",
          entities, features, rate);
    };
  }
}
