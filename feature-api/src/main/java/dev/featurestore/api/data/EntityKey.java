package dev.featurestore.api.data;

import dev.featurestore.api.definition.JoinKey;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The key of one feature row: the values of a view's join keys, in join-key order, each in the canonical Java
 * representation of its type (see {@link dev.featurestore.api.ValueType}). Equal keys have equal values, BYTES
 * compared by content. Immutable.
 */
public record EntityKey(List<Object> values) {
  public EntityKey {
    values = List.copyOf(values);
  }

  public static EntityKey of(Object... values) {
    return new EntityKey(List.of(values));
  }

  /**
   * Builds the key for {@code joinKeys} from named values, coercing each to its key type.
   *
   * @param where what the values belong to, for messages ("entity row 3")
   * @throws InvalidRequestException naming the key when one is missing, null, mistyped or unexpected
   */
  public static EntityKey from(List<JoinKey> joinKeys, Map<String, ?> named, String where) {
    List<Object> values = new ArrayList<>(joinKeys.size());
    for (JoinKey key : joinKeys) {
      Object value = named.get(key.name());
      if (value == null) {
        throw new InvalidRequestException(
            "Cannot read " + where + ": join key '" + key.name() + "' (" + key.type() + ") is missing");
      }
      values.add(key.type().coerce(value, key.name()));
    }
    return new EntityKey(values);
  }
}
