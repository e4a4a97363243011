package dev.featurestore.api.definition;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import java.util.Objects;

/**
 * How one feature feeds a model: the feature, the ONNX input tensor it goes to (its column is the input's position
 * among the inputs of that tensor), the type the model expects the feature to have, and the value fed when the
 * feature is missing (no row, stale beyond the view's TTL, or null). Tensors have shape [rows, columns] and the
 * element type the ONNX graph declares for them: float32 or double take any of these types, int64 and int32 only
 * BOOL and integers that fit (checked, naming the input, when the server loads the model).
 *
 * @param feature a single feature {@code view:feature} of the model's feature service
 * @param tensor the name of the ONNX graph input
 * @param type the feature's declared type: BOOL, INT32, INT64, FLOAT or DOUBLE
 * @param defaultValue fed when the value is missing
 */
public record ModelInput(FeatureRef feature, String tensor, ValueType type, double defaultValue) {
  public ModelInput {
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(type, "type");
    if (feature.isWholeView()) {
      throw new InvalidRequestException(
          "Cannot use model input '" + feature + "': an input names one feature, not a whole view");
    }
    if (tensor == null || tensor.isBlank()) {
      throw new InvalidRequestException("Cannot use model input '" + feature + "': its tensor name is empty");
    }
    if (!isNumeric(type)) {
      throw new InvalidRequestException("Cannot use model input '" + feature + "': type " + type
          + " cannot feed a float tensor; expected BOOL, INT32, INT64, FLOAT or DOUBLE");
    }
    if (Double.isNaN(defaultValue) || Double.isInfinite(defaultValue)) {
      throw new InvalidRequestException(
          "Cannot use model input '" + feature + "': default " + defaultValue + " is not a finite number");
    }
  }

  public static ModelInput of(String feature, String tensor, ValueType type, double defaultValue) {
    return new ModelInput(FeatureRef.parse(feature), tensor, type, defaultValue);
  }

  static boolean isNumeric(ValueType type) {
    return type == ValueType.BOOL || type == ValueType.INT32 || type == ValueType.INT64 || type == ValueType.FLOAT
        || type == ValueType.DOUBLE;
  }
}
