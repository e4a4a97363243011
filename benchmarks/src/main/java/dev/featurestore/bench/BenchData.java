package dev.featurestore.bench;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The benchmark's definitions and its deterministic data: a wide view of 250 features keyed by {@code entity_id}
 * (the shape of the published runs), and a {@code user} and an {@code item} view of 30 features each for the
 * ranking request. Feature types cycle INT64, DOUBLE, FLOAT, STRING; the row of an id is the same in every run with
 * the same seed, so the stores compared hold the same values.
 */
final class BenchData {
  static final int WIDE_FEATURES = 250;
  static final int RANKING_FEATURES = 30;
  static final String WIDE_VIEW = "bench_wide";
  static final String USER_VIEW = "bench_user";
  static final String ITEM_VIEW = "bench_item";
  static final String ENTITY_KEY = "entity_id";
  static final String USER_KEY = "user_id";
  static final String ITEM_KEY = "item_id";

  private static final ValueType[] TYPES = {ValueType.INT64, ValueType.DOUBLE, ValueType.FLOAT, ValueType.STRING};
  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789".toCharArray();

  private final Definitions definitions;
  private final int stringLength;
  private final long seed;
  private final long eventMicros;

  BenchData(int stringLength, long seed, long eventMicros) {
    this.stringLength = stringLength;
    this.seed = seed;
    this.eventMicros = eventMicros;
    this.definitions = new Definitions(
        List.of(Entity.of("bench_entity", JoinKey.of(ENTITY_KEY, ValueType.INT64)),
            Entity.of("bench_user", JoinKey.of(USER_KEY, ValueType.INT64)),
            Entity.of("bench_item", JoinKey.of(ITEM_KEY, ValueType.INT64))),
        List.of(view(WIDE_VIEW, "bench_entity", "f", WIDE_FEATURES),
            view(USER_VIEW, "bench_user", "u", RANKING_FEATURES),
            view(ITEM_VIEW, "bench_item", "i", RANKING_FEATURES)),
        List.of());
  }

  Definitions definitions() {
    return definitions;
  }

  FeatureView view(String name) {
    return definitions.featureViews().stream().filter(v -> v.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Cannot find view '" + name + "' in the benchmark"));
  }

  /** The name of feature {@code index} of the wide view, as the requests name it. */
  static String wideFeature(int index) {
    return featureName("f", index);
  }

  /** The row of {@code id} in {@code view}: every feature set, values drawn from a generator seeded by the id. */
  FeatureRow row(FeatureView view, long id) {
    SplittableRandom random = new SplittableRandom(seed * 31 + view.name().hashCode() * 1_000_003L + id);
    List<Feature> features = view.features();
    Map<String, Object> values = new HashMap<>(features.size() * 2);
    for (Feature feature : features) {
      values.put(feature.name(), switch (feature.type()) {
        case INT64 -> random.nextLong(1_000_000_000L);
        case DOUBLE -> random.nextDouble();
        case FLOAT -> (float) random.nextDouble();
        case STRING -> text(random);
        default -> throw new AssertionError(feature.type());
      });
    }
    return new FeatureRow(EntityKey.of(id), eventMicros, eventMicros, values);
  }

  private String text(SplittableRandom random) {
    char[] chars = new char[stringLength];
    for (int i = 0; i < chars.length; i++) {
      chars[i] = ALPHABET[random.nextInt(ALPHABET.length)];
    }
    return new String(chars);
  }

  private static FeatureView view(String name, String entity, String prefix, int count) {
    List<Feature> features = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      features.add(Feature.of(featureName(prefix, i), TYPES[i % TYPES.length]));
    }
    return FeatureView.builder(name).entity(entity).features(features).build();
  }

  private static String featureName(String prefix, int index) {
    return String.format(Locale.ROOT, "%s%03d", prefix, index);
  }
}
