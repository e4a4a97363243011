package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * An A/B experiment over model versions. Each unit (the value of the join key {@code unitKey}, for example a user
 * id) is assigned to one variant by a hash of the experiment's salt and the unit, so the same unit gets the same
 * variant on every node and after every restart, and the share of units per variant follows the weights. Shadow
 * models are scored on the same features as the answering one; their scores are only logged. Every variant and
 * shadow model reads the same feature service (checked by {@link Definitions}).
 *
 * @param salt mixed into the hash; change it to reshuffle the units (an empty salt uses the experiment's name)
 * @param variants at least one, names unique, weights positive
 * @param shadows model versions scored alongside, never answering
 */
public record Experiment(
    String name, String unitKey, String salt, List<Variant> variants, List<ModelVersion> shadows,
    String description) {

  /** One arm of an experiment: a share of the units, answered by one model version. */
  public record Variant(String name, int weight, ModelVersion model) {
    public Variant {
      Names.check(name, "experiment variant");
      Objects.requireNonNull(model, "model");
      if (weight <= 0) {
        throw new InvalidRequestException(
            "Cannot define experiment variant '" + name + "': weight " + weight + " must be positive");
      }
    }

    public static Variant of(String name, int weight, String model, int version) {
      return new Variant(name, weight, new ModelVersion(model, version));
    }
  }

  public Experiment {
    Names.check(name, "experiment");
    Names.check(unitKey, "unit key of experiment '" + name + "': join key");
    salt = salt == null || salt.isEmpty() ? name : salt;
    variants = List.copyOf(variants);
    shadows = List.copyOf(shadows == null ? List.of() : shadows);
    description = description == null ? "" : description;
    if (variants.isEmpty()) {
      throw new InvalidRequestException("Cannot define experiment '" + name + "': it has no variants");
    }
    Set<String> names = new HashSet<>();
    long total = 0;
    for (Variant variant : variants) {
      if (!names.add(variant.name())) {
        throw new InvalidRequestException(
            "Cannot define experiment '" + name + "': variant '" + variant.name() + "' is listed twice");
      }
      total += variant.weight();
    }
    if (total > Integer.MAX_VALUE) {
      throw new InvalidRequestException("Cannot define experiment '" + name + "': the weights sum to " + total
          + ", more than " + Integer.MAX_VALUE);
    }
    if (new HashSet<>(shadows).size() != shadows.size()) {
      throw new InvalidRequestException("Cannot define experiment '" + name + "': a shadow model is listed twice");
    }
  }

  /** The sum of the variants' weights. */
  public int totalWeight() {
    return variants.stream().mapToInt(Variant::weight).sum();
  }
}
