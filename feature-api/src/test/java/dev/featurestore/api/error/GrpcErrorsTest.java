package dev.featurestore.api.error;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.grpc.common.GrpcStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class GrpcErrorsTest {
  @Test
  void toStatusThenFromStatus_modelLoadFailure_isFailedPreconditionAndComesBackAsModelLoadException() {
    ModelLoadException failure = new ModelLoadException("Cannot load model 'm' version 1: its file m.onnx does not"
        + " exist");

    var status = GrpcErrors.toStatus(failure);
    FeatureStoreException back = GrpcErrors.fromStatus(status.status(), status.message(), null);

    assertThat(status.status()).isEqualTo(GrpcStatus.FAILED_PRECONDITION);
    assertThat(back).isInstanceOf(ModelLoadException.class).hasMessage(failure.getMessage());
  }

  @Test
  void fromStatus_otherFailedPrecondition_isStillAnIncompatibleChange() {
    var refused = GrpcErrors.toStatus(new IncompatibleChangeException(List.of("feature view 'v': entities change")));

    assertThat(GrpcErrors.fromStatus(refused.status(), refused.message(), null))
        .isInstanceOf(IncompatibleChangeException.class)
        .hasMessage("Cannot apply definitions: feature view 'v': entities change");
  }
}
