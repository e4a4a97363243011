package dev.featurestore.online.inference;

import ai.onnxruntime.OnnxJavaType;
import dev.featurestore.api.ValueType;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Optional;
import java.util.Set;

/**
 * The element types an input tensor may have, as the ONNX graph declares them, and which feature types feed each
 * without changing the value's kind: float tensors take every numeric feature (as before: a model declared float32
 * gets float32), double tensors too, integer tensors only booleans and integers no wider than themselves, so a
 * fractional value is never truncated on its way into a model.
 */
enum TensorType {
  FLOAT(OnnxJavaType.FLOAT, "float32", Set.of(ValueType.BOOL, ValueType.INT32, ValueType.INT64, ValueType.FLOAT,
      ValueType.DOUBLE)),
  DOUBLE(OnnxJavaType.DOUBLE, "double", Set.of(ValueType.BOOL, ValueType.INT32, ValueType.INT64, ValueType.FLOAT,
      ValueType.DOUBLE)),
  INT64(OnnxJavaType.INT64, "int64", Set.of(ValueType.BOOL, ValueType.INT32, ValueType.INT64)),
  INT32(OnnxJavaType.INT32, "int32", Set.of(ValueType.BOOL, ValueType.INT32));

  private final OnnxJavaType onnx;
  private final String text;
  private final Set<ValueType> accepted;

  TensorType(OnnxJavaType onnx, String text, Set<ValueType> accepted) {
    this.onnx = onnx;
    this.text = text;
    this.accepted = accepted;
  }

  static Optional<TensorType> of(OnnxJavaType onnx) {
    for (TensorType type : values()) {
      if (type.onnx == onnx) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** The supported types as ONNX names, for messages. */
  static String supported() {
    return "float32, double, int64 or int32";
  }

  boolean accepts(ValueType feature) {
    return accepted.contains(feature);
  }

  /** Whether a model default fits: any finite number for floating tensors, a whole number in range for integers. */
  boolean acceptsDefault(double value) {
    return switch (this) {
      case FLOAT, DOUBLE -> true;
      case INT64 -> value == Math.rint(value) && Math.abs(value) < 0x1p63;
      case INT32 -> value == Math.rint(value) && value >= Integer.MIN_VALUE && value <= Integer.MAX_VALUE;
    };
  }

  int bytes() {
    return onnx.size;
  }

  /** A typed view of {@code elements} values over {@code bytes} (native order); direct when {@code bytes} is. */
  Buffer view(ByteBuffer bytes, int elements) {
    Buffer view = switch (this) {
      case FLOAT -> bytes.asFloatBuffer();
      case DOUBLE -> bytes.asDoubleBuffer();
      case INT64 -> bytes.asLongBuffer();
      case INT32 -> bytes.asIntBuffer();
    };
    return view.limit(elements);
  }

  /**
   * Writes a feature value at {@code index} of a view made by {@link #view}. The value is the canonical Java value
   * of a type this tensor {@link #accepts}: Boolean, Integer, Long, Float or Double.
   */
  void put(Buffer view, int index, Object value) {
    switch (this) {
      case FLOAT -> ((FloatBuffer) view).put(index, value instanceof Boolean b ? (b ? 1f : 0f)
          : ((Number) value).floatValue());
      case DOUBLE -> ((DoubleBuffer) view).put(index, value instanceof Boolean b ? (b ? 1d : 0d)
          : ((Number) value).doubleValue());
      case INT64 -> ((LongBuffer) view).put(index, value instanceof Boolean b ? (b ? 1L : 0L)
          : ((Number) value).longValue());
      case INT32 -> ((IntBuffer) view).put(index, value instanceof Boolean b ? (b ? 1 : 0)
          : ((Number) value).intValue());
    }
  }

  @Override
  public String toString() {
    return text;
  }
}
