package dev.featurestore.registry.grpc;

import dev.featurestore.api.proto.ProtoDefinitions;
import dev.featurestore.proto.v1.ApplyResponse;
import dev.featurestore.proto.v1.FieldChange;
import dev.featurestore.proto.v1.GetDefinitionsResponse;
import dev.featurestore.proto.v1.PlanResponse;
import dev.featurestore.registry.ApplyResult;
import dev.featurestore.registry.ObjectChange;
import dev.featurestore.registry.Plan;
import dev.featurestore.registry.RegistrySnapshot;

/** Converts registry results to their wire messages. */
final class RegistryProtos {
  private RegistryProtos() {}

  static PlanResponse toProto(Plan plan) {
    PlanResponse.Builder b = PlanResponse.newBuilder()
        .setBaseVersion(plan.baseVersion())
        .addAllViolations(plan.violations());
    plan.changes().forEach(change -> b.addChanges(toProto(change)));
    return b.build();
  }

  static ApplyResponse toProto(ApplyResult result) {
    ApplyResponse.Builder b = ApplyResponse.newBuilder().setVersion(result.snapshot().version());
    result.changes().forEach(change -> b.addChanges(toProto(change)));
    return b.build();
  }

  static GetDefinitionsResponse toProto(RegistrySnapshot snapshot) {
    return GetDefinitionsResponse.newBuilder()
        .setVersion(snapshot.version())
        .setDefinitions(ProtoDefinitions.toProto(snapshot.definitions()))
        .build();
  }

  static dev.featurestore.proto.v1.ObjectChange toProto(ObjectChange change) {
    dev.featurestore.proto.v1.ObjectChange.Builder b = dev.featurestore.proto.v1.ObjectChange.newBuilder()
        .setAction(dev.featurestore.proto.v1.ObjectChange.Action.valueOf(change.action().name()))
        .setKind(dev.featurestore.proto.v1.ObjectChange.Kind.valueOf(change.kind().name()))
        .setName(change.name());
    for (ObjectChange.FieldChange field : change.fields()) {
      b.addFields(FieldChange.newBuilder()
          .setField(field.field())
          .setOldValue(field.oldValue())
          .setNewValue(field.newValue()));
    }
    return b.build();
  }
}
