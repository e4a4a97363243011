package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** What feature rows are about (a user, a merchant): a name and one or more typed join keys. Immutable. */
public record Entity(String name, List<JoinKey> joinKeys, String description) {
  public Entity {
    Names.check(name, "entity");
    joinKeys = List.copyOf(joinKeys);
    if (joinKeys.isEmpty()) {
      throw new InvalidRequestException("Cannot define entity '" + name + "': it needs at least one join key");
    }
    Set<String> seen = new HashSet<>();
    for (JoinKey key : joinKeys) {
      if (!seen.add(key.name())) {
        throw new InvalidRequestException(
            "Cannot define entity '" + name + "': join key '" + key.name() + "' appears twice");
      }
    }
    description = description == null ? "" : description;
  }

  public static Entity of(String name, JoinKey... joinKeys) {
    return new Entity(name, List.of(joinKeys), "");
  }

  public Entity withDescription(String description) {
    return new Entity(name, joinKeys, description);
  }
}
