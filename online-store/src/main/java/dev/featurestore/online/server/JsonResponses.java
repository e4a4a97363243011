package dev.featurestore.online.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.featurestore.proto.v1.EntityResult;
import dev.featurestore.proto.v1.FeatureValue;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.PushResponse;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/** The OnlineService's proto responses, and errors, as the JSON bodies of the HTTP API. */
final class JsonResponses {
  // Thread-safe once configured; generators are per call.
  private static final JsonFactory JSON = new JsonFactory();

  private JsonResponses() {}

  /**
   * {@code {"feature_names": [...], "feature_refs": [...], "results": [{"values": [...], "statuses": [...],
   * "event_timestamps": [...]}]}}, values as natural JSON ({@link JsonValues#write}), event timestamps in UTC
   * microseconds or null where the status is NOT_FOUND.
   */
  static Buffer onlineFeatures(GetOnlineFeaturesResponse response) {
    // Streamed straight into the response buffer: a ranking response holds tens of thousands of values.
    Buffer buffer = Buffer.buffer(256 + response.getResultsCount() * response.getFeatureNamesCount() * 24);
    try (JsonGenerator out = JSON.createGenerator(new BufferOutput(buffer))) {
      out.writeStartObject();
      out.writeArrayFieldStart("feature_names");
      for (String name : response.getFeatureNamesList()) {
        out.writeString(name);
      }
      out.writeEndArray();
      out.writeArrayFieldStart("feature_refs");
      for (String ref : response.getFeatureRefsList()) {
        out.writeString(ref);
      }
      out.writeEndArray();
      out.writeArrayFieldStart("results");
      for (EntityResult result : response.getResultsList()) {
        out.writeStartObject();
        out.writeArrayFieldStart("values");
        for (FeatureValue value : result.getValuesList()) {
          JsonValues.write(value.getValue(), out);
        }
        out.writeEndArray();
        out.writeArrayFieldStart("statuses");
        for (FeatureValue value : result.getValuesList()) {
          out.writeString(value.getStatus().name());
        }
        out.writeEndArray();
        out.writeArrayFieldStart("event_timestamps");
        for (FeatureValue value : result.getValuesList()) {
          // 0 is the wire's "no row" (NOT_FOUND); JSON can say that directly.
          if (value.getEventTimestamp() == 0) {
            out.writeNull();
          } else {
            out.writeNumber(value.getEventTimestamp());
          }
        }
        out.writeEndArray();
        out.writeEndObject();
      }
      out.writeEndArray();
      out.writeEndObject();
    } catch (IOException e) {
      // Only the output could fail, and it is memory.
      throw new UncheckedIOException(e);
    }
    return buffer;
  }

  /** {@code {"rows_written": n}}. */
  static Buffer push(PushResponse response) {
    return new JsonObject().put("rows_written", response.getRowsWritten()).toBuffer();
  }

  /** {@code {"error": {"code": "INVALID_ARGUMENT", "message": "..."}}}, code a gRPC status name. */
  static Buffer error(String code, String message) {
    return new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)).toBuffer();
  }

  /** Appends to a Vert.x buffer; Jackson already writes in chunks, so no buffering here. */
  private static final class BufferOutput extends OutputStream {
    private final Buffer buffer;

    BufferOutput(Buffer buffer) {
      this.buffer = buffer;
    }

    @Override
    public void write(int b) {
      buffer.appendByte((byte) b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) {
      buffer.appendBytes(bytes, offset, length);
    }
  }
}
