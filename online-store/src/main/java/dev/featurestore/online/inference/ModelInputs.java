package dev.featurestore.online.inference;

import dev.featurestore.api.data.FeatureRow;
import java.nio.Buffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What one model is fed for the rows of one request: one row-major tensor {@code [rows, columns]} per graph input,
 * in the element type the graph declares, and per row the values fed (typed as the features are declared, after
 * defaults) and the names of the inputs that got their default because the value was missing: no row, a row older
 * than the view's TTL, or null.
 *
 * <p>The tensors built by {@link #of} live in the calling thread's {@link TensorBuffers}: they are valid until the
 * next call of {@link #of} on the same thread, which is all a run needs (it reads them on this thread, at once).
 * The fed values and defaulted names stay valid.
 *
 * @param fed row-major {@code [rows, inputs]}, parallel to the model's inputs
 * @param defaulted per row, the input names (see {@link dev.featurestore.api.definition.Model#inputNames()}) that
 *     were defaulted; the same empty list for every complete row
 */
record ModelInputs(List<Tensor> tensors, int rows, int inputs, Object[] fed, List<List<String>> defaulted) {

  /** One graph input: its data (elements {@code rows * columns}, direct when built by {@link #of}). */
  record Tensor(String name, TensorType type, Buffer data, int rows, int columns) {}

  static ModelInputs of(InputLayout layout, Map<String, List<FeatureRow>> rowsByView, long nowMicros) {
    int rows = rowsByView.get(layout.views[0].name()).size();
    int inputs = layout.inputs;
    List<Tensor> tensors = new ArrayList<>(layout.tensorNames.length);
    Buffer[] data = new Buffer[layout.tensorNames.length];
    for (int t = 0; t < data.length; t++) {
      TensorType type = layout.tensorTypes[t];
      int elements = rows * layout.widths[t];
      data[t] = type.view(TensorBuffers.get(t, elements * type.bytes()), elements);
      tensors.add(new Tensor(layout.tensorNames[t], type, data[t], rows, layout.widths[t]));
    }
    // Per input, its rows and the destination: looked up once, not per value.
    List<FeatureRow>[] source = sources(layout, rowsByView);
    Buffer[] target = new Buffer[inputs];
    TensorType[] types = new TensorType[inputs];
    int[] width = new int[inputs];
    for (int i = 0; i < inputs; i++) {
      int t = layout.tensor[i];
      target[i] = data[t];
      types[i] = layout.tensorTypes[t];
      width[i] = layout.widths[t];
    }
    Object[] fed = new Object[rows * inputs];
    List<List<String>> defaulted = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      List<String> missing = List.of();
      for (int i = 0; i < inputs; i++) {
        Object value = value(layout, i, source[i].get(r), nowMicros);
        if (value == null) {
          value = layout.defaults[i];
          if (missing.isEmpty()) {
            missing = new ArrayList<>();
          }
          missing.add(layout.names.get(i));
        }
        fed[r * inputs + i] = value;
        types[i].put(target[i], r * width[i] + layout.column[i], value);
      }
      defaulted.add(missing);
    }
    return new ModelInputs(tensors, rows, inputs, fed, defaulted);
  }

  @SuppressWarnings("unchecked")
  private static List<FeatureRow>[] sources(InputLayout layout, Map<String, List<FeatureRow>> rowsByView) {
    List<FeatureRow>[] source = new List[layout.inputs];
    for (int i = 0; i < layout.inputs; i++) {
      source[i] = rowsByView.get(layout.views[i].name());
    }
    return source;
  }

  /** The input's value in a row, or null when missing (no row, beyond the TTL, or null). */
  private static Object value(InputLayout layout, int input, FeatureRow row, long nowMicros) {
    if (row == null || (layout.ttlMicros[input] > 0 && row.eventTimestampMicros() < nowMicros
        - layout.ttlMicros[input])) {
      return null;
    }
    // Rows decoded by the store for this very view hold values by position: no lookup by name.
    return row.value(layout.views[input], layout.positions[input]);
  }

  /** The values fed for one row, parallel to the model's inputs. */
  List<Object> fed(int row) {
    return Arrays.asList(fed).subList(row * inputs, (row + 1) * inputs);
  }
}
