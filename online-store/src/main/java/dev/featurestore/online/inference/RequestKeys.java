package dev.featurestore.online.inference;

import dev.featurestore.api.data.EntityKey;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.proto.ProtoValues;
import dev.featurestore.proto.v1.EntityRow;
import dev.featurestore.proto.v1.Value;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The join keys of a predict request's rows, typed: each row's own keys plus the shared ones (the ranking form,
 * where the user's key is sent once and broadcast to every candidate row). Built once per request for exactly the
 * join keys the models need; messages name the row (or the shared keys) and the key.
 */
final class RequestKeys {
  private final List<Map<String, Object>> rows;

  private RequestKeys(List<Map<String, Object>> rows) {
    this.rows = rows;
  }

  /**
   * @throws InvalidRequestException naming the row and key when a key is missing, mistyped, or given both in a row
   *     and in the shared keys
   */
  static RequestKeys parse(List<EntityRow> entities, EntityRow shared, Collection<JoinKey> needed) {
    Map<String, Object> sharedValues = new HashMap<>();
    for (JoinKey key : needed) {
      Value value = shared.getKeysMap().get(key.name());
      if (present(value)) {
        sharedValues.put(key.name(), typed(key, value, "the shared keys"));
      }
    }
    List<Map<String, Object>> rows = new ArrayList<>(entities.size());
    for (int i = 0; i < entities.size(); i++) {
      String where = "entity row " + i;
      Map<String, Value> own = entities.get(i).getKeysMap();
      Map<String, Object> row = new HashMap<>(sharedValues);
      for (JoinKey key : needed) {
        Value value = own.get(key.name());
        if (present(value)) {
          if (sharedValues.containsKey(key.name())) {
            throw new InvalidRequestException("Cannot read " + where + ": join key '" + key.name()
                + "' is given both in the row and in the shared keys");
          }
          row.put(key.name(), typed(key, value, where));
        } else if (!row.containsKey(key.name())) {
          throw new InvalidRequestException(
              "Cannot read " + where + ": join key '" + key.name() + "' (" + key.type() + ") is missing");
        }
      }
      rows.add(row);
    }
    return new RequestKeys(rows);
  }

  int size() {
    return rows.size();
  }

  /** The canonical value of a join key in a row (it was among the needed keys). */
  Object value(int row, String key) {
    return rows.get(row).get(key);
  }

  EntityKey entityKey(int row, List<JoinKey> joinKeys) {
    List<Object> values = new ArrayList<>(joinKeys.size());
    for (JoinKey key : joinKeys) {
      values.add(rows.get(row).get(key.name()));
    }
    return new EntityKey(values);
  }

  private static boolean present(Value value) {
    return value != null && value.getKindCase() != Value.KindCase.KIND_NOT_SET;
  }

  private static Object typed(JoinKey key, Value value, String where) {
    try {
      return ProtoValues.fromProto(value, key.type(), key.name());
    } catch (InvalidRequestException e) {
      throw new InvalidRequestException("Cannot read " + where + ": join key '" + key.name() + "' must be "
          + key.type() + " but is " + ProtoValues.typeOf(value), e);
    }
  }
}
