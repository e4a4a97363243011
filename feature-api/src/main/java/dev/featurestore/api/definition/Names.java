package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;
import java.util.Set;
import java.util.regex.Pattern;

/** The naming rule shared by every definition: lower-case identifiers that are safe as column and key names. */
public final class Names {
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-z0-9_]{0,127}");

  /** Column names every feature row carries; no join key or feature may take them. */
  public static final String EVENT_TIMESTAMP = "event_timestamp";

  public static final String CREATED_TIMESTAMP = "created_timestamp";

  static final Set<String> RESERVED = Set.of(EVENT_TIMESTAMP, CREATED_TIMESTAMP);

  private Names() {}

  /**
   * Checks that {@code name} is an identifier ({@code [a-z][a-z0-9_]*}, at most 128 characters).
   *
   * @param what what the name names, for the message ("feature view", "feature of view 'x'")
   * @throws InvalidRequestException naming the value when it is not
   */
  public static String check(String name, String what) {
    if (name == null || !IDENTIFIER.matcher(name).matches()) {
      throw new InvalidRequestException(
          "Cannot use " + what + " name '" + name + "': names are lower-case identifiers [a-z][a-z0-9_]*");
    }
    return name;
  }

  static String checkNotReserved(String name, String what) {
    check(name, what);
    if (RESERVED.contains(name)) {
      throw new InvalidRequestException(
          "Cannot use " + what + " name '" + name + "': it is reserved for the row timestamps");
    }
    return name;
  }
}
