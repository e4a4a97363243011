package dev.featurestore.offline.predictions;

import dev.featurestore.api.ValueType;
import dev.featurestore.online.spi.PredictionBatch;
import dev.featurestore.online.spi.PredictionBatch.Column;
import dev.featurestore.online.spi.PredictionBatch.PredictionRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.Table;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;

/** Batches as the inference endpoint logs them, and readers of the log tables, for the tests. */
final class LogFixtures {
  static final List<Column> USER_KEY = List.of(new Column("user_id", ValueType.INT64));
  static final List<Column> TWO_FEATURES =
      List.of(new Column("txn_count", ValueType.INT64), new Column("avg_amount", ValueType.DOUBLE));

  private LogFixtures() {}

  static long micros(String iso) {
    Instant instant = Instant.parse(iso);
    return instant.getEpochSecond() * 1_000_000L + instant.getNano() / 1_000;
  }

  /** A batch of model "fraud" v1 in experiment "exp": one row per user, features (user, user * 1.5). */
  static PredictionBatch batch(String requestId, long timeMicros, String variant, long... users) {
    List<PredictionRow> rows = new ArrayList<>();
    for (long user : users) {
      rows.add(new PredictionRow(String.valueOf(user), List.of(user), List.of(user, user * 1.5), List.of(),
          user / 100.0, Map.of()));
    }
    return new PredictionBatch(requestId, timeMicros, "fraud", 1, variant == null ? null : "exp", variant,
        USER_KEY, TWO_FEATURES, rows);
  }

  static Table table(Path warehouse, String model) {
    try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString())) {
      return catalog.loadTable(TableIdentifier.of(Namespace.of("predictions"), model));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static boolean exists(Path warehouse, String model) {
    try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString())) {
      return catalog.tableExists(TableIdentifier.of(Namespace.of("predictions"), model));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static List<Record> rows(Path warehouse, String model) {
    Table table = table(warehouse, model);
    List<Record> rows = new ArrayList<>();
    try (CloseableIterable<Record> records = IcebergGenerics.read(table).build()) {
      records.forEach(record -> rows.add(record.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
