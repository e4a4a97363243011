package dev.featurestore.deploy.push;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import dev.featurestore.registry.Registries;
import dev.featurestore.registry.Registry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.data.IcebergGenerics;
import org.apache.iceberg.data.Record;
import org.apache.iceberg.hadoop.HadoopCatalog;
import org.apache.iceberg.io.CloseableIterable;

/** The pushed view of the push tests, and a reader of its Iceberg table. */
final class PushFixtures {
  static final String VIEW = "user_clicks";
  static final Definitions DEFINITIONS = new Definitions(
      List.of(Entity.of("user", JoinKey.of("user_id", ValueType.INT64))),
      List.of(FeatureView.builder(VIEW).entity("user").source(Source.push())
          .feature("clicks", ValueType.INT64).feature("country", ValueType.STRING).build()),
      List.of(FeatureService.of("click_model", FeatureRef.allOf(VIEW))));

  private PushFixtures() {}

  /** Applies {@link #DEFINITIONS} to the embedded registry of a data directory. */
  static void applyDefinitions(Path dataDir) {
    try (Registry registry = Registries.embedded(dataDir)) {
      registry.apply(DEFINITIONS, registry.current().version());
    }
  }

  /** Every row of the view's table in the warehouse, as Iceberg generic records. */
  static List<Record> tableRows(Path warehouse) {
    List<Record> rows = new ArrayList<>();
    try (HadoopCatalog catalog = new HadoopCatalog(new Configuration(), warehouse.toUri().toString());
        CloseableIterable<Record> records =
            IcebergGenerics.read(catalog.loadTable(TableIdentifier.of("features", VIEW))).build()) {
      records.forEach(record -> rows.add(record.copy()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows;
  }
}
