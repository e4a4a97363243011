package dev.featurestore.online.inference;

import dev.featurestore.api.definition.Experiment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Deterministic experiment assignment: the unit's bucket is the first 8 bytes of SHA-256(salt, NUL, unit) as an
 * unsigned number modulo the sum of the weights, and the variants own consecutive ranges of buckets in declaration
 * order, each as wide as its weight. It depends on nothing but the experiment's salt and weights and the unit's
 * text, so every node, after every restart, assigns a unit to the same variant.
 */
final class Assignment {
  private Assignment() {}

  static Experiment.Variant variant(Experiment experiment, String unit) {
    long bucket = Long.remainderUnsigned(hash(experiment.salt(), unit), experiment.totalWeight());
    for (Experiment.Variant variant : experiment.variants()) {
      if (bucket < variant.weight()) {
        return variant;
      }
      bucket -= variant.weight();
    }
    throw new IllegalStateException("Cannot assign: bucket beyond the weights of " + experiment.name());
  }

  /** The unit's text: the decimal form of an integer key, the string itself, base64 of bytes. */
  static String unitText(Object canonicalKey) {
    if (canonicalKey instanceof ByteBuffer bytes) {
      ByteBuffer copy = bytes.duplicate();
      byte[] raw = new byte[copy.remaining()];
      copy.get(raw);
      return Base64.getEncoder().encodeToString(raw);
    }
    return String.valueOf(canonicalKey);
  }

  static long hash(String salt, String unit) {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash: every Java platform has SHA-256", e);
    }
    sha.update(salt.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    sha.update(unit.getBytes(StandardCharsets.UTF_8));
    return ByteBuffer.wrap(sha.digest()).getLong();
  }
}
