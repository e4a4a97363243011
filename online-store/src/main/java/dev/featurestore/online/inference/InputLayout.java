package dev.featurestore.online.inference;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.online.spi.PredictionBatch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything a request needs about how one model is fed that depends only on the model, its graph and the
 * definitions: per input its view, the feature's position in that view, its tensor and column there and its typed
 * default; per tensor its name, element type and width; and the log's columns. Worked out once per model and set
 * of definitions (see {@link LoadedModel#layout}) instead of on every request. Immutable.
 */
final class InputLayout {
  final Definitions definitions;
  final Model model;
  final int inputs;
  final FeatureView[] views;
  /** The feature's position in its view ({@link dev.featurestore.api.data.FeatureRow#value(FeatureView, int)}). */
  final int[] positions;
  /** TTL of the input's view in microseconds, 0 for none. */
  final long[] ttlMicros;
  final int[] tensor;
  final int[] column;
  /** The default in the input's declared type, so that fed values are typed alike whether present or not. */
  final Object[] defaults;
  final List<String> names;
  final String[] tensorNames;
  final TensorType[] tensorTypes;
  final int[] widths;
  final List<PredictionBatch.Column> keyColumns;
  final List<PredictionBatch.Column> featureColumns;

  InputLayout(Model model, Definitions definitions, Map<String, TensorType> types) {
    this.definitions = definitions;
    this.model = model;
    List<ModelInput> list = model.inputs();
    this.inputs = list.size();
    Map<String, List<ModelInput>> byTensor = model.tensors();
    this.tensorNames = byTensor.keySet().toArray(String[]::new);
    this.tensorTypes = new TensorType[tensorNames.length];
    this.widths = new int[tensorNames.length];
    for (int t = 0; t < tensorNames.length; t++) {
      tensorTypes[t] = types.get(tensorNames[t]);
      widths[t] = byTensor.get(tensorNames[t]).size();
    }
    List<String> order = List.of(tensorNames);
    this.views = new FeatureView[inputs];
    this.positions = new int[inputs];
    this.ttlMicros = new long[inputs];
    this.tensor = new int[inputs];
    this.column = new int[inputs];
    this.defaults = new Object[inputs];
    List<PredictionBatch.Column> fed = new ArrayList<>(inputs);
    this.names = model.inputNames();
    for (int i = 0; i < inputs; i++) {
      ModelInput input = list.get(i);
      views[i] = definitions.requireView(input.feature().view());
      positions[i] = views[i].indexOf(input.feature().feature());
      ttlMicros[i] = views[i].hasTtl() ? views[i].ttlMicros() : 0;
      tensor[i] = order.indexOf(input.tensor());
      column[i] = byTensor.get(input.tensor()).indexOf(input);
      defaults[i] = typedDefault(input);
      fed.add(new PredictionBatch.Column(names.get(i), input.type()));
    }
    this.featureColumns = List.copyOf(fed);
    Map<String, JoinKey> keys =
        FeatureFetch.joinKeys(definitions, FeatureFetch.views(definitions, List.of(model)));
    this.keyColumns = keys.values().stream().map(k -> new PredictionBatch.Column(k.name(), k.type())).toList();
  }

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
}
