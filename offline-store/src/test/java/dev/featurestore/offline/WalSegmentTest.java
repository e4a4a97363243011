package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The segment file format: frames read back in order; a torn or corrupt tail is cut at the last whole frame. */
class WalSegmentTest {
  @TempDir Path dir;

  private Path segmentWith(String... payloads) throws IOException {
    try (WalSegment segment = WalSegment.create(dir, "00000000000000000001-00000000")) {
      segment.append(java.util.Arrays.stream(payloads).map(p -> WalSegment.frame(bytes(p))).toList());
      segment.sync();
      return segment.file();
    }
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> texts(WalSegment.Contents contents) {
    return contents.payloads().stream().map(p -> new String(p, StandardCharsets.UTF_8)).toList();
  }

  @Test
  void read_wholeSegment_returnsEveryPayloadInOrder() throws IOException {
    Path file = segmentWith("one", "two", "three");

    WalSegment.Contents contents = WalSegment.read(file);

    assertThat(texts(contents)).containsExactly("one", "two", "three");
    assertThat(contents.torn()).isFalse();
    assertThat(contents.validBytes()).isEqualTo(Files.size(file));
  }

  @Test
  void read_lastFrameCutShort_keepsTheWholeFramesBeforeIt() throws IOException {
    Path file = segmentWith("one", "two", "a longer third record");
    long whole = Files.size(file);
    try (var channel = java.nio.channels.FileChannel.open(file, StandardOpenOption.WRITE)) {
      channel.truncate(whole - 5);
    }

    WalSegment.Contents contents = WalSegment.read(file);

    assertThat(texts(contents)).containsExactly("one", "two");
    assertThat(contents.torn()).isTrue();
    assertThat(contents.validBytes()).isEqualTo(whole - WalSegment.FRAME_BYTES - "a longer third record".length());
  }

  @Test
  void read_lastFrameChecksumMismatch_dropsThatFrame() throws IOException {
    Path file = segmentWith("one", "two", "three");
    byte[] content = Files.readAllBytes(file);
    content[content.length - 2] ^= 0x01; // a bit of "three" flipped
    Files.write(file, content);

    WalSegment.Contents contents = WalSegment.read(file);

    assertThat(texts(contents)).containsExactly("one", "two");
    assertThat(contents.fileBytes() - contents.validBytes()).isEqualTo(WalSegment.FRAME_BYTES + 5);
  }

  @Test
  void read_zeroFilledTail_stopsAtTheZeros() throws IOException {
    Path file = segmentWith("one");
    Files.write(file, new byte[64], StandardOpenOption.APPEND);

    WalSegment.Contents contents = WalSegment.read(file);

    assertThat(texts(contents)).containsExactly("one");
    assertThat(contents.fileBytes() - contents.validBytes()).isEqualTo(64);
  }

  @Test
  void read_tornHeader_holdsNothing() throws IOException {
    Path file = dir.resolve("00000000000000000002-00000000.wal");
    Files.write(file, new byte[] {0x46, 0x53});

    WalSegment.Contents contents = WalSegment.read(file);

    assertThat(contents.payloads()).isEmpty();
    assertThat(contents.validBytes()).isZero();
  }

  @Test
  void truncate_tornSegment_leavesOnlyWholeFrames() throws IOException {
    Path file = segmentWith("one", "two");
    Files.write(file, new byte[] {0, 0, 0, 9, 1, 2}, StandardOpenOption.APPEND);
    WalSegment.Contents torn = WalSegment.read(file);

    WalSegment.truncate(file, torn.validBytes());

    WalSegment.Contents after = WalSegment.read(file);
    assertThat(texts(after)).containsExactly("one", "two");
    assertThat(after.torn()).isFalse();
  }
}
