package dev.featurestore.registry;

import com.google.protobuf.InvalidProtocolBufferException;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.error.FeatureStoreException;
import dev.featurestore.api.proto.ProtoDefinitions;

/** Stores a version's definitions as the bytes of the wire message, so the proto is the one schema. */
final class DefinitionsCodec {
  private DefinitionsCodec() {}

  static byte[] encode(Definitions definitions) {
    return ProtoDefinitions.toProto(definitions).toByteArray();
  }

  /** @throws FeatureStoreException naming the version when its stored bytes cannot be read back */
  static Definitions decode(long version, byte[] bytes) {
    try {
      return ProtoDefinitions.fromProto(dev.featurestore.proto.v1.Definitions.parseFrom(bytes));
    } catch (InvalidProtocolBufferException | FeatureStoreException e) {
      throw new FeatureStoreException(
          "Cannot read registry version " + version + ": its stored definitions are unreadable: " + e.getMessage(), e);
    }
  }
}
