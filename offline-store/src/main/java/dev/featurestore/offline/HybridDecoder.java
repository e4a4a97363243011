package dev.featurestore.offline;

import java.nio.ByteBuffer;

/**
 * Parquet's RLE / bit-packing hybrid encoding (definition levels, dictionary ids) decoded straight from a buffer.
 * Why not Parquet's {@code RunLengthBitPackingHybridDecoder}: it reads through an {@code InputStream}, a call per
 * byte of every run header and value, which was a fifth of reading a view's matched feature values.
 *
 * <p>Runs are a varint header: even, an RLE run of {@code header >>> 1} copies of one value in {@code
 * ceil(bitWidth / 8)} little-endian bytes; odd, {@code header >>> 1} groups of eight values bit-packed
 * least-significant bit first. Not thread-safe.
 */
final class HybridDecoder {
  private final ByteBuffer in;
  private final int bitWidth;
  private final long mask;
  private int position;
  private final int end;
  /** Values left in the current run. */
  private int left;
  private boolean repeated;
  private int value;
  /** A bit-packed run: where its bytes start and the index of its next value. */
  private int packedStart;
  private int packedIndex;

  /** Decodes {@code in}'s bytes from {@code from} (inclusive) to {@code to} (exclusive), values of {@code bitWidth}. */
  HybridDecoder(ByteBuffer in, int from, int to, int bitWidth) {
    if (bitWidth < 0 || bitWidth > 32) {
      throw new IllegalArgumentException("Cannot decode RLE values of " + bitWidth + " bits");
    }
    this.in = in;
    this.position = from;
    this.end = to;
    this.bitWidth = bitWidth;
    this.mask = bitWidth == 32 ? 0xffff_ffffL : (1L << bitWidth) - 1;
  }

  int readInt() {
    while (left == 0) {
      readHeader();
    }
    left--;
    if (repeated) {
      return value;
    }
    long bitOffset = (long) packedIndex++ * bitWidth;
    int at = packedStart + (int) (bitOffset >>> 3);
    int shift = (int) (bitOffset & 7);
    int bytes = (shift + bitWidth + 7) >>> 3;
    long word = 0;
    for (int b = 0; b < bytes && at + b < end; b++) {
      word |= (in.get(at + b) & 0xffL) << (8 * b);
    }
    return (int) ((word >>> shift) & mask);
  }

  private void readHeader() {
    int header = 0;
    for (int shift = 0; ; shift += 7) {
      if (position >= end || shift > 28) {
        throw new IllegalStateException("Cannot decode RLE values: the run header is past the end of the page");
      }
      int b = in.get(position++);
      header |= (b & 0x7f) << shift;
      if ((b & 0x80) == 0) {
        break;
      }
    }
    if ((header & 1) == 0) {
      repeated = true;
      left = header >>> 1;
      value = 0;
      for (int b = 0; b < (bitWidth + 7) >>> 3; b++) {
        value |= (in.get(position++) & 0xff) << (8 * b);
      }
    } else {
      repeated = false;
      int groups = header >>> 1;
      left = groups * 8;
      packedStart = position;
      packedIndex = 0;
      position += groups * bitWidth;
    }
  }
}
