package dev.featurestore.sdk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** Whatever definitions Java code can build, writing them as YAML and reading them back gives them back. */
class DefinitionsYamlRoundTripTest {

  @Property(tries = 300)
  void writeThenParse_anyDefinitions_givesEqualDefinitions(@ForAll("definitions") Definitions definitions) {
    String yaml = DefinitionsYaml.write(definitions);

    assertThat(DefinitionsYaml.parse(yaml)).as(yaml).isEqualTo(definitions);
  }

  /**
   * Free text as people write it, and the strings YAML would otherwise read as something else. Lone surrogates are
   * left out: they are no Unicode text, so no UTF-8 file can hold them.
   */
  private static Arbitrary<String> text() {
    return Arbitraries.oneOf(
        Arbitraries.strings().all().ofMaxLength(30)
            .filter(s -> s.codePoints().noneMatch(c -> c >= Character.MIN_SURROGATE && c <= Character.MAX_SURROGATE)),
        Arbitraries.strings().withChars("ab :#-'\"{}[],&*!|>%@`?\n\t\\~").ofMaxLength(12),
        Arbitraries.of("", "true", "False", "yes", "no", "on", "off", "y", "n", "null", "~", "Null", "0", "007",
            "1.50", "-1", "0x1F", "1e3", ".inf", "-.Inf", ".NaN", "2024-01-01", "12:30", "- x", ": x", "#x",
            "x #y", "x: y", "[a]", "{a: b}", "*a", "&a", "!tag", "|", ">", "'q'", "\"q\"", " lead", "trail ",
            "é ü 中文 🙂", "line\nbreak", "\r\n"));
  }

  private static Arbitrary<Map<String, String>> tags() {
    return Arbitraries.maps(text(), text()).ofMaxSize(4);
  }

  private static Arbitrary<Duration> ttl() {
    return Arbitraries.oneOf(
        Arbitraries.just(Duration.ZERO),
        Arbitraries.longs().between(1, 400L * 86_400).map(Duration::ofSeconds),
        Arbitraries.integers().between(1, 400).map(Duration::ofDays),
        Arbitraries.integers().between(1, 1_000).map(Duration::ofHours),
        Arbitraries.longs().between(1, 10_000_000_000L).map(Duration::ofMillis),
        Arbitraries.longs().between(1, 1_000_000_000_000L).map(Duration::ofNanos));
  }

  private static Arbitrary<Source> source() {
    return Arbitraries.oneOf(
        Arbitraries.just(Source.push()),
        text().map(Source::batchFile),
        text().filter(t -> !t.isBlank()).map(Source::icebergTable));
  }

  @Provide
  Arbitrary<Definitions> definitions() {
    Arbitrary<Long> seeds = Arbitraries.longs();
    return Combinators.combine(seeds, text().list().ofSize(40), tags().list().ofSize(10), ttl().list().ofSize(6),
            source().list().ofSize(6))
        .as(DefinitionsYamlRoundTripTest::build);
  }

  /** Builds consistent definitions: key names are unique per entity, so any combination of entities is valid. */
  private static Definitions build(
      long seed, List<String> texts, List<Map<String, String>> tags, List<Duration> ttls, List<Source> sources) {
    Random random = new Random(seed);
    int[] next = {0};
    java.util.function.Supplier<String> text = () -> texts.get(next[0]++ % texts.size());
    List<ValueType> keyTypes = List.of(ValueType.INT32, ValueType.INT64, ValueType.STRING, ValueType.BYTES);
    FeatureRepo.Builder repo = FeatureRepo.builder();
    int entityCount = 1 + random.nextInt(3);
    for (int e = 0; e < entityCount; e++) {
      List<JoinKey> keys = new ArrayList<>();
      int keyCount = 1 + random.nextInt(3);
      for (int k = 0; k < keyCount; k++) {
        keys.add(JoinKey.of("e" + e + "_k" + (keyCount - k), keyTypes.get(random.nextInt(keyTypes.size()))));
      }
      repo.entity(new Entity("e" + e, keys, text.get()));
    }
    int viewCount = random.nextInt(4);
    Map<String, List<String>> featuresByView = new LinkedHashMap<>();
    for (int v = 0; v < viewCount; v++) {
      FeatureView.Builder view = FeatureView.builder("v" + v)
          .ttl(ttls.get(v))
          .source(sources.get(v))
          .owner(text.get())
          .description(text.get());
      tags.get(v).forEach(view::tag);
      for (int e = 0; e < entityCount; e++) {
        if (e == 0 || random.nextBoolean()) {
          view.entity("e" + ((e + v) % entityCount));
        }
      }
      List<String> names = new ArrayList<>();
      int featureCount = 1 + random.nextInt(ValueType.values().length);
      for (int f = 0; f < featureCount; f++) {
        ValueType type = ValueType.values()[random.nextInt(ValueType.values().length)];
        String name = "f" + f + "_" + type.name().toLowerCase();
        names.add(name);
        view.feature(new Feature(name, type, text.get()));
      }
      featuresByView.put("v" + v, names);
      repo.view(view);
    }
    int serviceCount = viewCount == 0 ? 0 : random.nextInt(3);
    for (int s = 0; s < serviceCount; s++) {
      List<FeatureRef> refs = new ArrayList<>();
      for (Map.Entry<String, List<String>> view : featuresByView.entrySet()) {
        if (random.nextInt(3) == 0) {
          refs.add(FeatureRef.allOf(view.getKey()));
        } else {
          refs.add(FeatureRef.of(view.getKey(), view.getValue().get(random.nextInt(view.getValue().size()))));
        }
      }
      repo.service(new FeatureService("s" + s, refs, text.get(), tags.get(6 + s), text.get()));
    }
    return repo.build();
  }
}
