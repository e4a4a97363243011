package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.error.UnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;
import org.apache.iceberg.util.DateTimeUtil;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The push write-ahead log against real Iceberg tables: appended rows reach the tables exactly once, through
 * flushes, clean closes and replays of segments a crashed process left, torn or already committed.
 */
class PushLogIT {
  private static final FeatureView CLICKS = FeatureView.builder("clicks").entity("user")
      .feature("count", ValueType.INT64).feature("tags", ValueType.STRING_LIST).build();
  private static final FeatureView SPEND = FeatureView.builder("spend").entity("user").entity("merchant")
      .feature("amount", ValueType.DOUBLE).build();
  private static final Definitions DEFS = TestFiles.definitions(CLICKS, SPEND);
  /** Long enough that only the test's own flush or close moves rows to the tables. */
  private static final PushLogOptions MANUAL = PushLogOptions.defaults().withFlushInterval(Duration.ofHours(1));

  @TempDir Path dir;
  private Path walDir;
  private OfflineStore store;
  private final List<OfflinePushLog> opened = new ArrayList<>();

  @BeforeEach
  void open() {
    walDir = dir.resolve("push-wal");
    store = OfflineStores.local(dir.resolve("warehouse"));
  }

  @AfterEach
  void close() {
    opened.forEach(OfflinePushLog::close);
    store.close();
  }

  private OfflinePushLog openLog(PushLogOptions options) {
    OfflinePushLog log = OfflineStores.pushLog(walDir, store, () -> DEFS, options);
    opened.add(log);
    return log;
  }

  private static FeatureRow click(long user, long count, long event) {
    return new FeatureRow(EntityKey.of(user), event, event + 1, Map.of("count", count, "tags", List.of("t" + user)));
  }

  private static FeatureRow spend(long user, String merchant, double amount, long event) {
    return new FeatureRow(EntityKey.of(user, merchant), event, event, Map.of("amount", amount));
  }

  private static void await(java.util.concurrent.CompletionStage<Void> stage) {
    try {
      stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("append did not complete", e);
    }
  }

  @Test
  void flush_appendedRowsOfTwoViews_landInEachTableOnce() {
    OfflinePushLog log = openLog(MANUAL);
    await(log.append(CLICKS, List.of(click(1, 10, 1_000), click(2, 20, 2_000))));
    await(log.append(SPEND, List.of(spend(1, "m1", 9.5, 3_000))));
    await(log.append(CLICKS, List.of(click(3, 30, 4_000))));

    log.flush();

    assertThat(clickRows()).containsExactly("1:10:1000:1001:[t1]", "2:20:2000:2001:[t2]", "3:30:4000:4001:[t3]");
    assertThat(readTable("spend")).extracting(r -> r.getField("user_id") + ":" + r.getField("merchant_id") + ":"
        + r.getField("amount")).containsExactly("1:m1:9.5");
    assertThat(segments()).isEmpty();
  }

  @Test
  void flush_twice_appendsEachRowOnce() {
    OfflinePushLog log = openLog(MANUAL);
    await(log.append(CLICKS, List.of(click(1, 10, 1_000))));
    log.flush();
    await(log.append(CLICKS, List.of(click(2, 20, 2_000))));
    log.flush();
    log.flush();

    assertThat(clickRows()).containsExactly("1:10:1000:1001:[t1]", "2:20:2000:2001:[t2]");
    assertThat(table("clicks").snapshots()).hasSize(2);
  }

  @Test
  void close_withUnflushedRows_appendsThem() {
    OfflinePushLog log = openLog(MANUAL);
    await(log.append(CLICKS, List.of(click(1, 10, 1_000))));

    log.close();

    assertThat(clickRows()).containsExactly("1:10:1000:1001:[t1]");
    assertThat(segments()).isEmpty();
  }

  @Test
  void flushInterval_elapsed_appendsWithoutAFlushCall() {
    OfflinePushLog log = openLog(PushLogOptions.defaults().withFlushInterval(Duration.ofMillis(200)));
    await(log.append(CLICKS, List.of(click(1, 10, 1_000))));

    assertThat(segments()).hasSize(1);

    org.awaitility.Awaitility.await("the flusher").atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> segments().isEmpty());
    assertThat(clickRows()).containsExactly("1:10:1000:1001:[t1]");
  }

  @Test
  void open_segmentsLeftWithATornTail_replaysTheWholeRecordsOnly() throws IOException {
    Files.createDirectories(walDir);
    Path file;
    try (WalSegment segment = WalSegment.create(walDir, "00000000000000000007-0000abcd")) {
      segment.append(List.of(
          WalSegment.frame(WalCodec.encode(CLICKS, List.of(click(1, 10, 1_000)))),
          WalSegment.frame(WalCodec.encode(SPEND, List.of(spend(1, "m1", 2.5, 1_000)))),
          WalSegment.frame(WalCodec.encode(CLICKS, List.of(click(2, 20, 2_000))))));
      segment.sync();
      file = segment.file();
    }
    // the crash tore the last record: its last bytes never reached the disk
    byte[] bytes = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3));

    openLog(MANUAL);

    assertThat(clickRows()).containsExactly("1:10:1000:1001:[t1]");
    assertThat(readTable("spend")).hasSize(1);
    assertThat(segments()).isEmpty();
  }

  @Test
  void open_segmentAlreadyCommittedButNotDeleted_doesNotAppendItTwice() throws IOException {
    Path backup = Files.createDirectories(dir.resolve("backup"));
    OfflinePushLog log = openLog(MANUAL);
    await(log.append(CLICKS, List.of(click(1, 10, 1_000), click(2, 20, 2_000))));
    await(log.append(SPEND, List.of(spend(1, "m1", 2.5, 1_000))));
    List<Path> segments = segments();
    assertThat(segments).hasSize(1);
    for (Path segment : segments) {
      Files.copy(segment, backup.resolve(segment.getFileName()));
    }
    log.flush(); // commits both views and deletes the segment
    log.close();
    opened.clear();
    // a crash right after the commits, before the delete, leaves the segment behind: put it back
    for (Path segment : segments) {
      Files.copy(backup.resolve(segment.getFileName()), segment, StandardCopyOption.REPLACE_EXISTING);
    }

    openLog(MANUAL);

    assertThat(clickRows()).containsExactly("1:10:1000:1001:[t1]", "2:20:2000:2001:[t2]");
    assertThat(readTable("spend")).hasSize(1);
    assertThat(table("clicks").snapshots()).hasSize(1);
    assertThat(segments()).isEmpty();
  }

  @Test
  void open_crashBetweenTheCommitsOfTwoViews_appendsTheMissingViewOnly() throws IOException {
    OfflinePushLog log = openLog(MANUAL);
    await(log.append(CLICKS, List.of(click(1, 10, 1_000))));
    await(log.append(SPEND, List.of(spend(1, "m1", 2.5, 1_000))));
    Path segment = segments().get(0);
    Path backup = Files.copy(segment, dir.resolve("backup.wal"));
    log.close();
    opened.clear();
    // as if the process had committed 'clicks' under the segment's id and died before committing 'spend'
    String id = segment.getFileName().toString().replace(WalSegment.SUFFIX, "");
    Files.copy(backup, segment);
    deleteTable("spend");

    openLog(MANUAL);

    assertThat(clickRows()).containsExactly("1:10:1000:1001:[t1]");
    assertThat(readTable("spend")).hasSize(1);
    assertThat(table("clicks").snapshots()).extracting(Snapshot::summary)
        .extracting(summary -> summary.get("fstore.append-id")).containsExactly("push-wal:" + id);
  }

  @Test
  void append_queueFull_failsAtOnceWithUnavailable() {
    WriteAheadPushLog log = (WriteAheadPushLog) openLog(MANUAL.withQueueCapacity(1));
    List<CompletableFuture<Void>> accepted = new ArrayList<>();
    CompletableFuture<Void> third;
    log.segmentLock.lock(); // the writer stalls at its first batch
    try {
      accepted.add(log.append(CLICKS, List.of(click(1, 1, 1_000))).toCompletableFuture());
      // only once the writer holds the first append (and waits for the lock) is the queue empty again: appending
      // earlier would let the writer drain two appends into its batch and leave room for the third
      org.awaitility.Awaitility.await("the writer waiting with the first append").atMost(Duration.ofSeconds(30))
          .until(log.segmentLock::hasQueuedThreads);
      accepted.add(log.append(CLICKS, List.of(click(2, 2, 1_000))).toCompletableFuture());
      third = log.append(CLICKS, List.of(click(3, 3, 1_000))).toCompletableFuture();

      assertThat(third).isCompletedExceptionally();
    } finally {
      log.segmentLock.unlock();
    }
    assertThatThrownBy(third::join)
        .isInstanceOf(CompletionException.class)
        .cause()
        .isInstanceOf(UnavailableException.class)
        .hasMessage("Cannot log a push to view 'clicks': 1 pushes are already waiting for the disk; retry later");
    List<CompletableFuture<Void>> succeeded = accepted.stream().filter(f -> !f.isCompletedExceptionally()).toList();
    succeeded.forEach(PushLogIT::await);
    log.flush();
    assertThat(clickRows()).hasSize(succeeded.size());
  }

  @Test
  void append_afterClose_failsWithUnavailable() {
    OfflinePushLog log = openLog(MANUAL);
    log.close();

    assertThatThrownBy(() -> log.append(CLICKS, List.of(click(1, 1, 1_000))).toCompletableFuture().join())
        .cause()
        .isInstanceOf(UnavailableException.class)
        .hasMessage("Cannot log a push to view 'clicks': the push log is closed");
  }

  @Test
  void open_directoryHeldByAnotherLog_refused() {
    openLog(MANUAL);

    assertThatThrownBy(() -> openLog(MANUAL))
        .isInstanceOf(UnavailableException.class)
        .hasMessage("Cannot open push log at '" + walDir.toAbsolutePath() + "': another push log holds it");
  }

  @Test
  void flush_viewNoLongerDefined_dropsItsRowsAndKeepsTheOthers() {
    Definitions[] current = {DEFS};
    OfflinePushLog log = OfflineStores.pushLog(walDir, store, () -> current[0], MANUAL);
    opened.add(log);
    await(log.append(CLICKS, List.of(click(1, 10, 1_000))));
    await(log.append(SPEND, List.of(spend(1, "m1", 2.5, 1_000))));
    current[0] = TestFiles.definitions(SPEND);

    log.flush();

    assertThat(catalogHas("clicks")).isFalse();
    assertThat(readTable("spend")).hasSize(1);
    assertThat(segments()).isEmpty();
  }

  private List<Path> segments() {
    if (!Files.isDirectory(walDir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(walDir)) {
      return files.filter(f -> f.toString().endsWith(WalSegment.SUFFIX)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The clicks rows as "user:count:event:created:tags", sorted by user. */
  private List<String> clickRows() {
    if (!catalogHas("clicks")) {
      return List.of();
    }
    return readTable("clicks").stream()
        .sorted(Comparator.comparing(r -> (Long) r.getField("user_id")))
        .map(r -> r.getField("user_id") + ":" + r.getField("count") + ":"
            + DateTimeUtil.microsFromTimestamptz((java.time.OffsetDateTime) r.getField("event_timestamp")) + ":"
            + DateTimeUtil.microsFromTimestamptz((java.time.OffsetDateTime) r.getField("created_timestamp")) + ":"
            + r.getField("tags"))
        .toList();
  }

  private List<Record> readTable(String view) {
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table(view)).build()) {
      records.forEach(record -> rows.add(record.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }

  private Table table(String view) {
    try (HadoopCatalog catalog = catalog()) {
      return catalog.loadTable(TableIdentifier.of("features", view));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private boolean catalogHas(String view) {
    try (HadoopCatalog catalog = catalog()) {
      return catalog.tableExists(TableIdentifier.of("features", view));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void deleteTable(String view) {
    try (HadoopCatalog catalog = catalog()) {
      catalog.dropTable(TableIdentifier.of("features", view), true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private HadoopCatalog catalog() {
    return new HadoopCatalog(new Configuration(), dir.resolve("warehouse").toUri().toString());
  }
}
