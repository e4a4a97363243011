package dev.featurestore.online.inference;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Direct buffers for input tensors, kept per thread and reused by every run on it. ONNX Runtime reads a direct
 * buffer in place, whereas from a heap array it allocates a fresh direct buffer and copies on every run: at 500
 * rows that allocation (zeroed native memory and a cleaner per tensor) cost more than filling the values. Buffers
 * up to {@link #RETAINED_BYTES} stay with their thread (the inference pool is small and fixed); a larger request
 * gets a buffer of its own that the garbage collector frees.
 */
final class TensorBuffers {
  static final int RETAINED_BYTES = 4 << 20;

  private static final ThreadLocal<List<ByteBuffer>> BUFFERS = ThreadLocal.withInitial(ArrayList::new);

  private TensorBuffers() {}

  /**
   * A native-order direct buffer of at least {@code bytes} for the thread's tensor number {@code slot}, position
   * 0. Its content is whatever the previous run left: the caller writes every element it hands to a run.
   */
  static ByteBuffer get(int slot, int bytes) {
    if (bytes > RETAINED_BYTES) {
      return ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
    }
    List<ByteBuffer> mine = BUFFERS.get();
    while (mine.size() <= slot) {
      mine.add(null);
    }
    ByteBuffer buffer = mine.get(slot);
    if (buffer == null || buffer.capacity() < bytes) {
      // Doubling keeps a thread that sees growing requests from reallocating on each.
      int capacity = Math.min(RETAINED_BYTES, Math.max(bytes, buffer == null ? 4096 : 2 * buffer.capacity()));
      buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.nativeOrder());
      mine.set(slot, buffer);
    }
    return buffer.clear();
  }
}
