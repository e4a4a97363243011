package dev.featurestore.api.definition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Resolved feature references: the output columns in request order, each with its view, feature and output name.
 * Made by {@link Definitions#select}; immutable and thread-safe.
 *
 * @param columns output columns, in request order
 * @param joinKeys the join keys of each selected view, by view name, in first-use order
 */
public record FeatureSelection(List<Column> columns, Map<String, List<JoinKey>> joinKeys) {

  /** One output column. */
  public record Column(FeatureView view, Feature feature, String outputName) {
    public FeatureRef ref() {
      return FeatureRef.of(view.name(), feature.name());
    }
  }

  public FeatureSelection {
    columns = List.copyOf(columns);
    joinKeys = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(joinKeys));
  }

  static FeatureSelection named(List<Column> columns, Map<String, List<JoinKey>> joinKeys, FeatureNaming naming) {
    return new FeatureSelection(rename(columns, naming, Set.of()), joinKeys);
  }

  /**
   * The same selection with {@code view__feature} names for every column whose short name is among {@code taken}
   * (for example the columns of an entity table), so that no output name is ambiguous.
   */
  public FeatureSelection qualifyingNamesIn(Set<String> taken) {
    boolean anyFull = columns.stream().anyMatch(c -> !c.outputName().equals(c.feature().name()));
    return new FeatureSelection(rename(columns, anyFull ? FeatureNaming.FULL : FeatureNaming.SHORT, taken), joinKeys);
  }

  /** The selected views, in first-use order. */
  public List<FeatureView> views() {
    Map<String, FeatureView> views = new LinkedHashMap<>();
    for (Column column : columns) {
      views.putIfAbsent(column.view().name(), column.view());
    }
    return List.copyOf(views.values());
  }

  /** The selected columns of one view, in output order. */
  public List<Column> columnsOf(String viewName) {
    return columns.stream().filter(c -> c.view().name().equals(viewName)).toList();
  }

  public List<String> outputNames() {
    return columns.stream().map(Column::outputName).toList();
  }

  private static List<Column> rename(List<Column> columns, FeatureNaming naming, Set<String> taken) {
    Map<String, Integer> uses = new HashMap<>();
    for (Column column : columns) {
      uses.merge(column.feature().name(), 1, Integer::sum);
    }
    List<Column> renamed = new ArrayList<>(columns.size());
    for (Column column : columns) {
      String name = column.feature().name();
      boolean qualify = naming == FeatureNaming.FULL || uses.get(name) > 1 || taken.contains(name);
      renamed.add(new Column(column.view(), column.feature(), qualify ? column.view().name() + "__" + name : name));
    }
    return renamed;
  }
}
