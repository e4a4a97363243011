package dev.featurestore.online.inference;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What one model is fed for the rows of one request: a row-major float32 matrix {@code [rows, columns]} per input
 * tensor, and per row the values fed (typed as the features are declared, after defaults) and the names of the
 * inputs that got their default because the value was missing: no row, a row older than the view's TTL, or null.
 *
 * @param fed per row, parallel to the model's inputs
 * @param defaulted per row, the input names (see {@link Model#inputNames()}) that were defaulted
 */
record ModelInputs(Map<String, float[]> tensors, int rows, List<List<Object>> fed, List<List<String>> defaulted) {

  static ModelInputs of(Model model, Definitions definitions, Map<String, List<FeatureRow>> rowsByView,
      long nowMicros) {
    int rows = rowsByView.values().iterator().next().size();
    Map<String, List<ModelInput>> layout = model.tensors();
    Map<String, float[]> tensors = new LinkedHashMap<>();
    layout.forEach((tensor, inputs) -> tensors.put(tensor, new float[rows * inputs.size()]));
    List<String> names = model.inputNames();
    List<ModelInput> inputs = model.inputs();
    // Where each input goes: its tensor and its column there.
    float[][] target = new float[inputs.size()][];
    int[] column = new int[inputs.size()];
    int[] width = new int[inputs.size()];
    FeatureView[] views = new FeatureView[inputs.size()];
    for (int i = 0; i < inputs.size(); i++) {
      ModelInput input = inputs.get(i);
      List<ModelInput> group = layout.get(input.tensor());
      target[i] = tensors.get(input.tensor());
      column[i] = group.indexOf(input);
      width[i] = group.size();
      views[i] = definitions.requireView(input.feature().view());
    }
    List<List<Object>> fed = new ArrayList<>(rows);
    List<List<String>> defaulted = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Object[] values = new Object[inputs.size()];
      List<String> missing = List.of();
      for (int i = 0; i < inputs.size(); i++) {
        ModelInput input = inputs.get(i);
        FeatureRow row = rowsByView.get(views[i].name()).get(r);
        Object value = null;
        if (row != null && !(views[i].hasTtl() && row.eventTimestampMicros() < nowMicros - views[i].ttlMicros())) {
          value = row.value(input.feature().feature());
        }
        if (value == null) {
          value = typedDefault(input);
          if (missing.isEmpty()) {
            missing = new ArrayList<>();
          }
          missing.add(names.get(i));
        }
        values[i] = value;
        target[i][r * width[i] + column[i]] = asFloat(value);
      }
      fed.add(Arrays.asList(values));
      defaulted.add(missing);
    }
    return new ModelInputs(tensors, rows, fed, defaulted);
  }

  /** The default in the input's declared type, so that fed values are typed alike whether present or not. */
  static Object typedDefault(ModelInput input) {
    double d = input.defaultValue();
    return switch (input.type()) {
      case BOOL -> d != 0;
      case INT32 -> (int) d;
      case INT64 -> (long) d;
      case FLOAT -> (float) d;
      case DOUBLE -> d;
      default -> throw new IllegalStateException("Cannot feed type " + input.type() + " to a model");
    };
  }

  static float asFloat(Object value) {
    if (value instanceof Boolean flag) {
      return flag ? 1f : 0f;
    }
    return ((Number) value).floatValue();
  }
}
