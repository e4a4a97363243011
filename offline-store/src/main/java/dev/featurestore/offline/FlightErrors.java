package dev.featurestore.offline;

import dev.featurestore.api.error.IncompatibleChangeException;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.api.error.NotFoundException;
import dev.featurestore.api.error.UnavailableException;
import org.apache.arrow.flight.CallStatus;
import org.apache.arrow.flight.FlightRuntimeException;

/** The one place where failures of the Flight service become Flight statuses (as {@code GrpcErrors} for gRPC). */
final class FlightErrors {
  private FlightErrors() {}

  static FlightRuntimeException toStatus(Throwable failure) {
    if (failure instanceof FlightRuntimeException flight) {
      return flight;
    }
    CallStatus status;
    if (failure instanceof InvalidRequestException) {
      status = CallStatus.INVALID_ARGUMENT;
    } else if (failure instanceof NotFoundException) {
      status = CallStatus.NOT_FOUND;
    } else if (failure instanceof IncompatibleChangeException) {
      status = CallStatus.INVALID_ARGUMENT;
    } else if (failure instanceof UnavailableException) {
      status = CallStatus.UNAVAILABLE;
    } else {
      // never a stack trace to the client: the class name says enough, the server log has the rest
      return CallStatus.INTERNAL.withDescription("Cannot build training set: internal error ("
          + failure.getClass().getSimpleName() + ")").withCause(failure).toRuntimeException();
    }
    return status.withDescription(failure.getMessage()).withCause(failure).toRuntimeException();
  }
}
