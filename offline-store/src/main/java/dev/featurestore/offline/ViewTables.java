package dev.featurestore.offline;

import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Feature;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.IncompatibleChangeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.iceberg.PartitionSpec;
import org.apache.iceberg.Schema;
import org.apache.iceberg.Table;
import org.apache.iceberg.TableProperties;
import org.apache.iceberg.UpdateSchema;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.exceptions.NoSuchTableException;
import org.apache.iceberg.types.Types;

/** The Iceberg tables of feature views in one catalog: lookup, creation on first use and schema evolution. */
final class ViewTables {
  static final Namespace NAMESPACE = Namespace.of("features");

  private final Catalog catalog;

  ViewTables(Catalog catalog) {
    this.catalog = catalog;
  }

  /** The view's table at its latest metadata, or empty when nothing was ever ingested. */
  Optional<Table> find(String viewName) {
    try {
      return Optional.of(catalog.loadTable(TableIdentifier.of(NAMESPACE, viewName)));
    } catch (NoSuchTableException e) {
      return Optional.empty();
    }
  }

  /**
   * The view's table with a column for every key and feature of the view: created on first use, columns added for
   * features the view gained since.
   *
   * @throws IncompatibleChangeException when an existing column has another type than the view says
   */
  Table prepare(Definitions definitions, FeatureView view) {
    List<JoinKey> keys = definitions.joinKeys(view);
    Table table = find(view.name()).orElseGet(() -> create(keys, view));
    List<String> violations = new ArrayList<>();
    List<Feature> missing = new ArrayList<>();
    Schema schema = table.schema();
    for (JoinKey key : keys) {
      Types.NestedField field = schema.findField(key.name());
      if (field == null || !ViewSchemas.sameType(field.type(), key.type())) {
        violations.add("table of view '" + view.name() + "' has join key column '" + key.name() + "' "
            + (field == null ? "missing" : "of type " + field.type()) + " but the view says " + key.type());
      }
    }
    for (Feature feature : view.features()) {
      Types.NestedField field = schema.findField(feature.name());
      if (field == null) {
        missing.add(feature);
      } else if (!ViewSchemas.sameType(field.type(), feature.type())) {
        violations.add("table of view '" + view.name() + "' has column '" + feature.name() + "' of type "
            + field.type() + " but the view says " + feature.type());
      }
    }
    if (!violations.isEmpty()) {
      throw new IncompatibleChangeException(violations);
    }
    if (!missing.isEmpty()) {
      UpdateSchema update = table.updateSchema();
      for (Feature feature : missing) {
        update.addColumn(feature.name(), ViewSchemas.icebergType(feature.type(), new int[] {0}));
      }
      update.commit();
      table.refresh();
    }
    return table;
  }

  private Table create(List<JoinKey> keys, FeatureView view) {
    TableIdentifier id = TableIdentifier.of(NAMESPACE, view.name());
    Schema schema = ViewSchemas.tableSchema(keys, view);
    PartitionSpec spec = PartitionSpec.builderFor(schema).day(ViewSchemas.EVENT_TIMESTAMP).build();
    try {
      return catalog.createTable(id, schema, spec, Map.of(TableProperties.FORMAT_VERSION, "2"));
    } catch (AlreadyExistsException e) {
      // another ingestion created it first: use theirs
      return catalog.loadTable(id);
    }
  }
}
