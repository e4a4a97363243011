package dev.featurestore.online.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.featurestore.api.proto.ProtoColumns;
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
   * "event_timestamps": [...]}]}}: the columnar proto response turned row-wise, one result per entity row, values
   * as natural JSON ({@link JsonValues#write(Object, JsonGenerator)}), event timestamps in UTC microseconds or null
   * where the status is NOT_FOUND.
   */
  static Buffer onlineFeatures(GetOnlineFeaturesResponse response) {
    int rows = response.getEntityCount();
    int columnCount = response.getColumnsCount();
    ProtoColumns.ResponseRows read = ProtoColumns.rows(response);
    // Streamed straight into the response buffer: a ranking response holds tens of thousands of values.
    Buffer buffer = Buffer.buffer(256 + rows * columnCount * 24);
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
      for (int row = 0; row < rows; row++) {
        out.writeStartObject();
        out.writeArrayFieldStart("values");
        for (int c = 0; c < columnCount; c++) {
          JsonValues.write(read.value(row, c), out);
        }
        out.writeEndArray();
        out.writeArrayFieldStart("statuses");
        for (int c = 0; c < columnCount; c++) {
          out.writeString(read.status(row, c).name());
        }
        out.writeEndArray();
        out.writeArrayFieldStart("event_timestamps");
        for (int c = 0; c < columnCount; c++) {
          // 0 is the wire's "no row" (NOT_FOUND); JSON can say that directly.
          long event = read.eventTimestamp(row, c);
          if (event == 0) {
            out.writeNull();
          } else {
            out.writeNumber(event);
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
