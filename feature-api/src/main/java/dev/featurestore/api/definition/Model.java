package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * One version of a model served by the inference endpoint: an ONNX artifact checked by its SHA-256, the feature
 * service it reads, how features map to input tensors, and which output is the score. A model version is immutable
 * once applied (the registry refuses to change it): publish a new version instead. Whether the inputs match the
 * feature service's types is checked by {@link Definitions}; whether they match the ONNX graph, when the server
 * loads it.
 *
 * @param artifact path of the ONNX file; a relative path is resolved against the server's model directory
 * @param sha256 lower-case hex SHA-256 of the file's bytes
 * @param inputs in order: within each tensor, the order of its columns
 * @param scoreOutput the name of the ONNX output holding the score, a float32 or double tensor [rows] or [rows, 1]
 */
public record Model(
    String name,
    int version,
    String artifact,
    String sha256,
    String featureService,
    List<ModelInput> inputs,
    String scoreOutput,
    String description) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public Model {
    Names.check(name, "model");
    String what = "model '" + name + "' version " + version;
    if (version < 1) {
      throw new InvalidRequestException("Cannot define " + what + ": versions start at 1");
    }
    if (artifact == null || artifact.isBlank()) {
      throw new InvalidRequestException("Cannot define " + what + ": its artifact path is empty");
    }
    sha256 = sha256 == null ? "" : sha256.toLowerCase(Locale.ROOT);
    if (!SHA256.matcher(sha256).matches()) {
      throw new InvalidRequestException(
          "Cannot define " + what + ": sha256 '" + sha256 + "' is not 64 hexadecimal digits");
    }
    Names.check(featureService, "feature service");
    inputs = List.copyOf(inputs);
    if (inputs.isEmpty()) {
      throw new InvalidRequestException("Cannot define " + what + ": it has no inputs");
    }
    Set<FeatureRef> seen = new HashSet<>();
    for (ModelInput input : inputs) {
      if (!seen.add(input.feature())) {
        throw new InvalidRequestException(
            "Cannot define " + what + ": input '" + input.feature() + "' is listed twice");
      }
    }
    if (scoreOutput == null || scoreOutput.isBlank()) {
      throw new InvalidRequestException("Cannot define " + what + ": its score output is empty");
    }
    description = description == null ? "" : description;
    Objects.requireNonNull(artifact);
  }

  public ModelVersion id() {
    return new ModelVersion(name, version);
  }

  /** The inputs grouped by tensor, tensors in order of first use, each tensor's inputs in column order. */
  public Map<String, List<ModelInput>> tensors() {
    Map<String, List<ModelInput>> tensors = new LinkedHashMap<>();
    for (ModelInput input : inputs) {
      tensors.computeIfAbsent(input.tensor(), t -> new ArrayList<>()).add(input);
    }
    tensors.replaceAll((tensor, list) -> List.copyOf(list));
    return java.util.Collections.unmodifiableMap(tensors);
  }

  /**
   * The name of each input as reported to clients and logs, parallel to {@link #inputs()}: the feature's name, or
   * {@code view__feature} where two inputs share a feature name.
   */
  public List<String> inputNames() {
    Map<String, Integer> uses = new LinkedHashMap<>();
    inputs.forEach(i -> uses.merge(i.feature().feature(), 1, Integer::sum));
    return inputs.stream()
        .map(i -> uses.get(i.feature().feature()) > 1
            ? i.feature().view() + "__" + i.feature().feature()
            : i.feature().feature())
        .toList();
  }
}
