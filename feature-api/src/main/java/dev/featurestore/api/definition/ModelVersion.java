package dev.featurestore.api.definition;

import dev.featurestore.api.error.InvalidRequestException;

/** A model name and version, written {@code name@version}. */
public record ModelVersion(String name, int version) {
  public ModelVersion {
    Names.check(name, "model");
    if (version < 1) {
      throw new InvalidRequestException(
          "Cannot use model '" + name + "' version " + version + ": versions start at 1");
    }
  }

  public static ModelVersion of(String name, int version) {
    return new ModelVersion(name, version);
  }

  /**
   * Parses {@code name@version}.
   *
   * @throws InvalidRequestException naming the text when it is not of that form
   */
  public static ModelVersion parse(String text) {
    int at = text == null ? -1 : text.lastIndexOf('@');
    if (at <= 0) {
      throw new InvalidRequestException("Cannot parse model version '" + text + "': expected 'name@version'");
    }
    try {
      return new ModelVersion(text.substring(0, at), Integer.parseInt(text.substring(at + 1)));
    } catch (NumberFormatException e) {
      throw new InvalidRequestException("Cannot parse model version '" + text + "': expected 'name@version'", e);
    }
  }

  @Override
  public String toString() {
    return name + "@" + version;
  }
}
