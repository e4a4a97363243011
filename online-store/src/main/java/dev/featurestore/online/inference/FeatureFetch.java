package dev.featurestore.online.inference;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Model;
import dev.featurestore.api.definition.ModelInput;
import dev.featurestore.online.spi.OnlineStore;
import dev.featurestore.online.spi.Projection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Reads the rows a set of models needs from the online store through its Java API: each view once for the
 * distinct keys of all rows, the views concurrently (one round trip per view), the same path the online reads take.
 */
final class FeatureFetch {
  private FeatureFetch() {}

  /** The views the models read, in first-use order. */
  static List<FeatureView> views(Definitions definitions, List<Model> models) {
    Set<String> names = new LinkedHashSet<>();
    for (Model model : models) {
      for (ModelInput input : model.inputs()) {
        names.add(input.feature().view());
      }
    }
    List<FeatureView> views = new ArrayList<>(names.size());
    names.forEach(name -> views.add(definitions.requireView(name)));
    return views;
  }

  /**
   * What the models read of each of their views ({@link #views}, in that order): only the features their inputs
   * name, so that a store decodes those and skips the rest.
   */
  static List<Projection> projections(Definitions definitions, List<Model> models) {
    Map<String, Set<String>> features = new LinkedHashMap<>();
    for (Model model : models) {
      for (ModelInput input : model.inputs()) {
        FeatureRef feature = input.feature();
        features.computeIfAbsent(feature.view(), view -> new LinkedHashSet<>()).add(feature.feature());
      }
    }
    List<Projection> projections = new ArrayList<>(features.size());
    features.forEach((view, names) -> projections.add(Projection.of(definitions.requireView(view), names)));
    return projections;
  }

  /** The join keys of the views, each once, in first-use order. */
  static Map<String, JoinKey> joinKeys(Definitions definitions, List<FeatureView> views) {
    Map<String, JoinKey> keys = new LinkedHashMap<>();
    for (FeatureView view : views) {
      definitions.joinKeys(view).forEach(key -> keys.putIfAbsent(key.name(), key));
    }
    return keys;
  }

  /**
   * Reads every projected view for every row.
   *
   * @return completes with each view's row per request row (null where the key has no row), by view name; fails
   *     with the store's failure
   */
  static CompletableFuture<Map<String, List<FeatureRow>>> read(
      OnlineStore store, Definitions definitions, List<Projection> projections, RequestKeys keys) {
    List<CompletableFuture<List<FeatureRow>>> reads = new ArrayList<>(projections.size());
    List<int[]> rowToKey = new ArrayList<>(projections.size());
    for (Projection projection : projections) {
      FeatureView view = projection.view();
      List<JoinKey> joinKeys = definitions.joinKeys(view);
      Map<EntityKey, Integer> unique = new LinkedHashMap<>();
      int[] index = new int[keys.size()];
      if (keys.allShared(joinKeys)) {
        // The ranking form's user: one entity for every row, every index 0, no key built per row.
        rowToKey.add(index);
        reads.add(store.read(projection, List.of(keys.entityKey(0, joinKeys))).toCompletableFuture());
        continue;
      }
      for (int row = 0; row < keys.size(); row++) {
        EntityKey key = keys.entityKey(row, joinKeys);
        Integer known = unique.putIfAbsent(key, unique.size());
        index[row] = known == null ? unique.size() - 1 : known;
      }
      rowToKey.add(index);
      reads.add(store.read(projection, List.copyOf(unique.keySet())).toCompletableFuture());
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
      Map<String, List<FeatureRow>> byView = new HashMap<>();
      for (int v = 0; v < projections.size(); v++) {
        List<FeatureRow> distinct = reads.get(v).join();
        int[] index = rowToKey.get(v);
        List<FeatureRow> perRow = new ArrayList<>(index.length);
        for (int i : index) {
          perRow.add(distinct.get(i));
        }
        byView.put(projections.get(v).view().name(), perRow);
      }
      return byView;
    });
  }
}
