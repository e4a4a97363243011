package dev.featurestore.offline;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * One segment file of the push write-ahead log: an 8-byte header (magic, version), then records, each framed as a
 * big-endian {@code int} payload length, the {@code int} CRC32C of the payload, and the payload.
 *
 * <p>A writer appends frames and {@link #sync()}s; nothing it appended counts as durable before that returns. A
 * crash can leave the last, unsynced frames torn: {@link #read} keeps the longest prefix of whole frames whose
 * checksums match and reports where it ends, so recovery can cut the rest. Not thread-safe: the log's writer thread
 * owns an open segment.
 */
final class WalSegment implements AutoCloseable {
  static final String SUFFIX = ".wal";
  static final int HEADER_BYTES = 8;
  static final int FRAME_BYTES = 8;
  private static final int MAGIC = 0x46535741; // "FSWA"
  private static final int VERSION = 1;

  private final String id;
  private final Path file;
  private final FileChannel channel;
  private long size;
  private int records;

  private WalSegment(String id, Path file, FileChannel channel, long size) {
    this.id = id;
    this.file = file;
    this.channel = channel;
    this.size = size;
  }

  /** The frame of a payload: length, checksum, payload. */
  static byte[] frame(byte[] payload) {
    CRC32C crc = new CRC32C();
    crc.update(payload);
    ByteBuffer frame = ByteBuffer.allocate(FRAME_BYTES + payload.length);
    frame.putInt(payload.length).putInt((int) crc.getValue()).put(payload);
    return frame.array();
  }

  /**
   * Creates a new, empty segment and makes its existence durable (the header forced, then the directory), so that
   * records synced into it later are found by recovery.
   */
  static WalSegment create(Path directory, String id) throws IOException {
    Path file = directory.resolve(id + SUFFIX);
    FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    try {
      ByteBuffer header = ByteBuffer.allocate(HEADER_BYTES).putInt(MAGIC).putInt(VERSION).flip();
      while (header.hasRemaining()) {
        channel.write(header);
      }
      channel.force(true);
      syncDirectory(directory);
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
    return new WalSegment(id, file, channel, HEADER_BYTES);
  }

  /** Appends frames (not yet durable: see {@link #sync()}). */
  void append(List<byte[]> frames) throws IOException {
    ByteBuffer[] buffers = new ByteBuffer[frames.size()];
    long bytes = 0;
    for (int i = 0; i < buffers.length; i++) {
      buffers[i] = ByteBuffer.wrap(frames.get(i));
      bytes += buffers[i].remaining();
    }
    long written = 0;
    while (written < bytes) {
      written += channel.write(buffers);
    }
    size += bytes;
    records += frames.size();
  }

  /** Forces everything appended to the device: one fdatasync for all frames since the last call. */
  void sync() throws IOException {
    channel.force(false);
  }

  String id() {
    return id;
  }

  Path file() {
    return file;
  }

  long size() {
    return size;
  }

  int records() {
    return records;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  /**
   * What a segment file holds.
   *
   * @param payloads the payloads of the whole, verified frames, in order
   * @param validBytes where the last whole frame ends (0 when even the header is torn)
   * @param fileBytes the file's length; more than {@code validBytes} when its tail is torn or corrupt
   */
  record Contents(List<byte[]> payloads, long validBytes, long fileBytes) {
    boolean torn() {
      return validBytes < fileBytes;
    }
  }

  /** Reads a segment file, stopping at the first frame that is cut short or fails its checksum. */
  static Contents read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    List<byte[]> payloads = new ArrayList<>();
    if (bytes.length < HEADER_BYTES || in.getInt() != MAGIC || in.getInt() != VERSION) {
      // the header is forced before any record is written, so a file without one holds nothing acknowledged
      return new Contents(payloads, 0, bytes.length);
    }
    long valid = HEADER_BYTES;
    CRC32C crc = new CRC32C();
    while (in.remaining() >= FRAME_BYTES) {
      int length = in.getInt();
      int checksum = in.getInt();
      if (length <= 0 || length > in.remaining()) {
        break;
      }
      crc.reset();
      crc.update(bytes, in.position(), length);
      if ((int) crc.getValue() != checksum) {
        break;
      }
      byte[] payload = new byte[length];
      in.get(payload);
      payloads.add(payload);
      valid = in.position();
    }
    return new Contents(payloads, valid, bytes.length);
  }

  /** Cuts a segment file to {@code length} bytes, durably. */
  static void truncate(Path file, long length) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(length);
      channel.force(true);
    }
  }

  /** Makes a directory's entries (created or deleted files) durable; directories open for reading on Linux. */
  static void syncDirectory(Path directory) throws IOException {
    try (FileChannel dir = FileChannel.open(directory, StandardOpenOption.READ)) {
      dir.force(true);
    }
  }
}
