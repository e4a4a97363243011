package dev.featurestore.online.inference;

import dev.featurestore.online.inference.onnx.OnnxProto.AttributeProto;
import dev.featurestore.online.inference.onnx.OnnxProto.GraphProto;
import dev.featurestore.online.inference.onnx.OnnxProto.ModelProto;
import dev.featurestore.online.inference.onnx.OnnxProto.NodeProto;
import dev.featurestore.online.inference.onnx.OnnxProto.OperatorSetIdProto;
import dev.featurestore.online.inference.onnx.OnnxProto.TensorProto;
import dev.featurestore.online.inference.onnx.OnnxProto.TensorShapeProto;
import dev.featurestore.online.inference.onnx.OnnxProto.TypeProto;
import dev.featurestore.online.inference.onnx.OnnxProto.ValueInfoProto;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Writes small ONNX models from their weights, for tests, the quickstart and benchmarks: the project builds the
 * models it serves, it never downloads them. Each model has float32 inputs {@code [rows, columns]} (or, for the typed
 * logistic regression, inputs of the caller's element types) and one float32 output {@code [rows, 1]}, named by the
 * caller (IR version 8, default opset 13).
 *
 * <ul>
 *   <li>{@link #logisticRegression(String, String, float[], float)}: {@code sigmoid(x · w + b)};
 *   <li>{@link #logisticRegression(String, float[], float, Input...)}: the same over several inputs of float32,
 *       double, int64 or int32, cast to float32 and concatenated, for testing typed input tensors;
 *   <li>{@link #mlp}: a two-layer network {@code sigmoid(relu(x · W1 + b1) · w2 + b2)};
 *   <li>{@link #failing}: loads like a model of that shape but fails every run (it reads a column that does not
 *       exist), for testing that a broken shadow model never affects an answer.
 * </ul>
 *
 * Stateless and thread-safe.
 */
public final class OnnxModels {
  private static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
  private static final int INT64 = TensorProto.DataType.INT64_VALUE;

  private OnnxModels() {}

  /**
   * Logistic regression: {@code output = sigmoid(input · weights + bias)}.
   *
   * @param weights one per input column
   */
  public static byte[] logisticRegression(String input, String output, float[] weights, float bias) {
    GraphProto graph = GraphProto.newBuilder()
        .setName("logistic_regression")
        .addInitializer(floats("w", weights, weights.length, 1))
        .addInitializer(floats("b", new float[] {bias}, 1))
        .addNode(node("MatMul", "z", input, "w"))
        .addNode(node("Add", "logit", "z", "b"))
        .addNode(node("Sigmoid", output, "logit"))
        .addInput(tensor(input, weights.length))
        .addOutput(tensor(output, 1))
        .build();
    return model(graph);
  }

  /** The element types {@link #logisticRegression(String, float[], float, Input...)} can take its inputs in. */
  public enum ElementType {
    FLOAT(TensorProto.DataType.FLOAT_VALUE),
    DOUBLE(TensorProto.DataType.DOUBLE_VALUE),
    INT64(TensorProto.DataType.INT64_VALUE),
    INT32(TensorProto.DataType.INT32_VALUE);

    private final int onnx;

    ElementType(int onnx) {
      this.onnx = onnx;
    }
  }

  /** A graph input {@code [rows, columns]} of an element type. */
  public record Input(String name, ElementType type, int columns) {}

  /**
   * Logistic regression over several inputs of any {@link ElementType}: each is cast to float32, they are
   * concatenated in order into {@code [rows, sum of columns]}, then {@code output = sigmoid(x · weights + bias)}
   * (output float32 {@code [rows, 1]}).
   *
   * @param weights one per column of all inputs, in order
   */
  public static byte[] logisticRegression(String output, float[] weights, float bias, Input... inputs) {
    GraphProto.Builder graph = GraphProto.newBuilder().setName("logistic_regression_typed");
    List<String> floats = new ArrayList<>();
    int columns = 0;
    for (Input input : inputs) {
      graph.addInput(tensor(input.name(), input.type().onnx, input.columns()));
      columns += input.columns();
      if (input.type() == ElementType.FLOAT) {
        floats.add(input.name());
      } else {
        String cast = input.name() + "_f";
        graph.addNode(node("Cast", cast, input.name()).toBuilder()
            .addAttribute(AttributeProto.newBuilder().setName("to").setType(AttributeProto.AttributeType.INT)
                .setI(FLOAT)));
        floats.add(cast);
      }
    }
    if (columns != weights.length) {
      throw new IllegalArgumentException("Cannot build the logistic regression: " + weights.length
          + " weights for " + columns + " input columns");
    }
    String x = floats.get(0);
    if (floats.size() > 1) {
      x = "x_all";
      graph.addNode(node("Concat", x, floats.toArray(String[]::new)).toBuilder()
          .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
              .setI(1)));
    }
    graph.addInitializer(floats("w", weights, weights.length, 1))
        .addInitializer(floats("b", new float[] {bias}, 1))
        .addNode(node("MatMul", "z", x, "w"))
        .addNode(node("Add", "logit", "z", "b"))
        .addNode(node("Sigmoid", output, "logit"))
        .addOutput(tensor(output, 1));
    return model(graph.build());
  }

  /**
   * Two-layer perceptron: {@code output = sigmoid(relu(input · w1 + b1) · w2 + b2)}.
   *
   * @param w1 {@code [columns][hidden]}
   * @param b1 {@code [hidden]}
   * @param w2 {@code [hidden]}
   */
  public static byte[] mlp(String input, String output, float[][] w1, float[] b1, float[] w2, float b2) {
    int columns = w1.length;
    int hidden = b1.length;
    float[] flat = new float[columns * hidden];
    for (int i = 0; i < columns; i++) {
      if (w1[i].length != hidden) {
        throw new IllegalArgumentException(
            "Cannot build the MLP: row " + i + " of w1 has " + w1[i].length + " weights for " + hidden + " units");
      }
      System.arraycopy(w1[i], 0, flat, i * hidden, hidden);
    }
    if (w2.length != hidden) {
      throw new IllegalArgumentException(
          "Cannot build the MLP: w2 has " + w2.length + " weights for " + hidden + " hidden units");
    }
    GraphProto graph = GraphProto.newBuilder()
        .setName("mlp")
        .addInitializer(floats("w1", flat, columns, hidden))
        .addInitializer(floats("b1", b1, hidden))
        .addInitializer(floats("w2", w2, hidden, 1))
        .addInitializer(floats("b2", new float[] {b2}, 1))
        .addNode(gemm("h", input, "w1", "b1"))
        .addNode(node("Relu", "a", "h"))
        .addNode(gemm("logit", "a", "w2", "b2"))
        .addNode(node("Sigmoid", output, "logit"))
        .addInput(tensor(input, columns))
        .addOutput(tensor(output, 1))
        .build();
    return model(graph);
  }

  /**
   * A model with the signature of {@link #logisticRegression} over {@code columns} inputs whose every run fails:
   * it gathers column 1,000,003 of its input, which no input has (the index is checked only when it runs).
   */
  public static byte[] failing(String input, String output, int columns) {
    GraphProto graph = GraphProto.newBuilder()
        .setName("failing")
        .addInitializer(TensorProto.newBuilder().setName("column").setDataType(INT64).addDims(1)
            .addInt64Data(1_000_003))
        .addNode(node("Gather", output, input, "column").toBuilder()
            .addAttribute(AttributeProto.newBuilder().setName("axis").setType(AttributeProto.AttributeType.INT)
                .setI(1)))
        .addInput(tensor(input, columns))
        .addOutput(tensor(output, 1))
        .build();
    return model(graph);
  }

  /** Writes {@code bytes} to {@code file} (creating directories) and returns the file's SHA-256 in hex. */
  public static String write(Path file, byte[] bytes) {
    try {
      if (file.getParent() != null) {
        Files.createDirectories(file.getParent());
      }
      Files.write(file, bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write model file " + file + ": " + e.getMessage(), e);
    }
    return sha256(bytes);
  }

  /** Lower-case hex SHA-256 of {@code bytes}, as a model definition declares it. */
  public static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash: every Java platform has SHA-256", e);
    }
  }

  private static byte[] model(GraphProto graph) {
    return ModelProto.newBuilder()
        .setIrVersion(8)
        .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(13))
        .setProducerName("featurestore OnnxModels")
        .setGraph(graph)
        .build()
        .toByteArray();
  }

  private static NodeProto node(String op, String output, String... inputs) {
    NodeProto.Builder node = NodeProto.newBuilder().setOpType(op).setName(output + "_" + op).addOutput(output);
    for (String input : inputs) {
      node.addInput(input);
    }
    return node.build();
  }

  private static NodeProto gemm(String output, String a, String b, String c) {
    return node("Gemm", output, a, b, c).toBuilder()
        .addAttribute(AttributeProto.newBuilder().setName("alpha").setType(AttributeProto.AttributeType.FLOAT)
            .setF(1f))
        .addAttribute(AttributeProto.newBuilder().setName("beta").setType(AttributeProto.AttributeType.FLOAT)
            .setF(1f))
        .build();
  }

  private static TensorProto floats(String name, float[] values, long... dims) {
    TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(FLOAT);
    for (long dim : dims) {
      tensor.addDims(dim);
    }
    for (float value : values) {
      tensor.addFloatData(value);
    }
    return tensor.build();
  }

  /** A float32 tensor {@code [rows, columns]}, rows symbolic. */
  private static ValueInfoProto tensor(String name, int columns) {
    return tensor(name, FLOAT, columns);
  }

  /** A tensor {@code [rows, columns]} of an ONNX element type, rows symbolic. */
  private static ValueInfoProto tensor(String name, int elementType, int columns) {
    TensorShapeProto shape = TensorShapeProto.newBuilder()
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam("rows"))
        .addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(columns))
        .build();
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(TypeProto.newBuilder().setTensorType(TypeProto.Tensor.newBuilder().setElemType(elementType)
            .setShape(shape)))
        .build();
  }
}
