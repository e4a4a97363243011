package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.featurestore.api.ValueType;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MatchedValues} on real Arrow vectors: batches of rows asked in any order (and none, for rows without a
 * match) come out value for value, of every value type, with the batch's scratch reused and grown; equal strings
 * are held once, and strings past the table's limit are still held right.
 */
class MatchedValuesTest {
  private static final ValueType[] TYPES = {ValueType.INT64, ValueType.STRING, ValueType.DOUBLE, ValueType.BOOL,
      ValueType.INT32, ValueType.FLOAT, ValueType.TIMESTAMP, ValueType.BYTES, ValueType.STRING,
      ValueType.INT64_LIST, ValueType.STRING_LIST};

  private final BufferAllocator allocator = new RootAllocator();

  @AfterEach
  void close() {
    assertThat(allocator.getAllocatedMemory()).as("buffers left allocated").isZero();
    allocator.close();
  }

  @Test
  void copyBatch_rowsInAnyOrder_fillTheVectorsWithTheirValuesAndNullsWithoutMatch() {
    int rows = 500;
    Random random = new Random(7);
    Object[][] expected = new Object[rows][];
    MatchedValues values = new MatchedValues(TYPES, rows);
    for (int row = 0; row < rows; row++) {
      expected[row] = new Object[TYPES.length];
      for (int f = 0; f < TYPES.length; f++) {
        // every fifth value absent, at places that differ per feature
        Object value = (row + f) % 5 == 0 ? null : sample(TYPES[f], random.nextInt(40));
        expected[row][f] = value;
        values.set(f, row, value);
      }
    }
    // a leading entity column, so that the features start past the first vector
    List<Field> fields = new ArrayList<>(List.of(ArrowValues.field("entity", ValueType.INT64)));
    for (int f = 0; f < TYPES.length; f++) {
      fields.add(ArrowValues.field("f" + f, TYPES[f]));
    }
    int[] rowOf = new int[1_200];
    for (int i = 0; i < rowOf.length; i++) {
      rowOf[i] = i % 7 == 3 ? -1 : random.nextInt(rows);
    }
    try (VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator)) {
      // a batch, a smaller one reusing the scratch, then a larger one growing it
      int[][] batches = {{0, 300}, {300, 50}, {350, 850}};
      for (int[] batch : batches) {
        for (FieldVector vector : root.getFieldVectors()) {
          vector.setInitialCapacity(batch[1]);
          vector.allocateNew();
        }
        values.copyBatch(rowOf, batch[0], batch[1], root.getFieldVectors(), 1);
        root.setRowCount(batch[1]);
        for (int i = 0; i < batch[1]; i++) {
          int row = rowOf[batch[0] + i];
          for (int f = 0; f < TYPES.length; f++) {
            Object got = ArrowValues.get(root.getVector(1 + f), i, TYPES[f]);
            Object want = row < 0 ? null : expected[row][f];
            assertThat(got).as("entry %d (row %d), feature %d (%s)", batch[0] + i, row, f, TYPES[f])
                .isEqualTo(want);
          }
        }
      }
    }
  }

  @Test
  void set_equalStringsOfDistinctArrays_areHeldOnce() {
    ValueType[] types = {ValueType.STRING};
    int rows = 10_000;
    MatchedValues repeated = new MatchedValues(types, rows);
    MatchedValues distinct = new MatchedValues(types, rows);
    for (int row = 0; row < rows; row++) {
      repeated.set(0, row, new String("category-" + (row % 10)));
      distinct.set(0, row, "category-" + row);
    }
    long fixed = MatchedValues.fixedBytes(types, rows);
    assertThat(repeated.heapBytes() - fixed).as("ten distinct strings held").isLessThan(4_000);
    assertThat(distinct.heapBytes() - fixed).as("ten thousand distinct strings held").isGreaterThan(300_000);
  }

  @Test
  void copyBatch_moreDistinctStringsThanTheTableHolds_keepsEveryValue() {
    ValueType[] types = {ValueType.STRING};
    int rows = 70_000 + 200;
    MatchedValues values = new MatchedValues(types, rows);
    String[] expected = new String[rows];
    for (int row = 0; row < rows; row++) {
      // past 70,000 distinct values, some repeat: found in the table or held as they come
      expected[row] = row < 70_000 ? "value-" + row : "value-" + (row * 31 % 70_000);
      values.set(0, row, new String(expected[row]));
    }
    int[] rowOf = new int[rows];
    for (int i = 0; i < rows; i++) {
      rowOf[i] = rows - 1 - i;
    }
    try (VectorSchemaRoot root = VectorSchemaRoot.create(
        new Schema(List.of(ArrowValues.field("s", ValueType.STRING))), allocator)) {
      FieldVector vector = root.getVector(0);
      vector.setInitialCapacity(rows);
      vector.allocateNew();
      values.copyBatch(rowOf, 0, rows, root.getFieldVectors(), 0);
      root.setRowCount(rows);
      for (int i = 0; i < rows; i++) {
        assertThat(ArrowValues.get(vector, i, ValueType.STRING)).as("entry %d", i).isEqualTo(expected[rows - 1 - i]);
      }
    }
  }

  private static Object sample(ValueType type, int n) {
    return switch (type) {
      case INT64 -> (long) n << 33 | n;
      case STRING -> "s" + n % 9 + (n % 3 == 0 ? "é" : "");
      case DOUBLE -> n / 4.0 - 3;
      case BOOL -> n % 2 == 0;
      case INT32 -> -n;
      case FLOAT -> n / 8f;
      case TIMESTAMP -> 1_700_000_000_000_000L + n;
      case BYTES -> ByteBuffer.wrap(new byte[] {(byte) n, 1, 2}).asReadOnlyBuffer();
      case INT64_LIST -> n % 4 == 0 ? List.of() : List.of((long) n, 2L);
      case STRING_LIST -> List.of("a" + n, "b");
      default -> throw new AssertionError(type);
    };
  }
}
