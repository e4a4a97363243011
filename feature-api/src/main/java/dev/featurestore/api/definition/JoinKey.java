package dev.featurestore.api.definition;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import java.util.Objects;

/** One typed join key of an entity, for example {@code user_id: INT64}. Keys are INT32, INT64, STRING or BYTES. */
public record JoinKey(String name, ValueType type) {
  public JoinKey {
    Names.checkNotReserved(name, "join key");
    Objects.requireNonNull(type, "type");
    if (!type.isKeyType()) {
      throw new InvalidRequestException(
          "Cannot use join key '" + name + "' of type " + type + ": join keys are INT32, INT64, STRING or BYTES");
    }
  }

  public static JoinKey of(String name, ValueType type) {
    return new JoinKey(name, type);
  }
}
