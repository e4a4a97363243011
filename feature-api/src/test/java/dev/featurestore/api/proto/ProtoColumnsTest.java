package dev.featurestore.api.proto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.error.InvalidRequestException;
import dev.featurestore.proto.v1.FeatureColumn;
import dev.featurestore.proto.v1.FeatureStatus;
import dev.featurestore.proto.v1.GetOnlineFeaturesResponse;
import dev.featurestore.proto.v1.ViewRows;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProtoColumnsTest {
  /** For each type, two different non-null values, so that rows cannot be confused. */
  private static final List<Object[]> SAMPLES = List.of(
      new Object[] {ValueType.BOOL, true, false},
      new Object[] {ValueType.INT32, 7, -3},
      new Object[] {ValueType.INT64, 1L << 40, -1L},
      new Object[] {ValueType.FLOAT, 1.5f, Float.NaN},
      new Object[] {ValueType.DOUBLE, 2.25d, Double.NEGATIVE_INFINITY},
      new Object[] {ValueType.STRING, "héllo", ""},
      new Object[] {ValueType.BYTES, ByteBuffer.wrap(new byte[] {0, -1, 5}), ByteBuffer.wrap(new byte[0])},
      new Object[] {ValueType.TIMESTAMP, 1_700_000_000_000_000L, 0L},
      new Object[] {ValueType.BOOL_LIST, List.of(true, false), List.of()},
      new Object[] {ValueType.INT32_LIST, List.of(1, 2), List.of(3)},
      new Object[] {ValueType.INT64_LIST, List.of(3L), List.of(4L, 5L, 6L)},
      new Object[] {ValueType.FLOAT_LIST, List.of(0.5f), List.of(1f, 2f)},
      new Object[] {ValueType.DOUBLE_LIST, List.of(0.25d, 4d), List.of()},
      new Object[] {ValueType.STRING_LIST, List.of("a", "b"), List.of("")},
      new Object[] {ValueType.BYTES_LIST, List.of(ByteBuffer.wrap(new byte[] {9})), List.of(ByteBuffer.wrap(new byte[0]))},
      new Object[] {ValueType.TIMESTAMP_LIST, List.of(1L, 2L), List.of(3L)});

  @Test
  void writerThenReader_everyTypeAndStatus_roundTripsThroughBytes() throws Exception {
    assertThat(SAMPLES).extracting(s -> s[0]).containsExactlyInAnyOrder((Object[]) ValueType.values());
    for (Object[] sample : SAMPLES) {
      ValueType type = (ValueType) sample[0];
      // Every status, with values before, between and after the rows without one.
      ProtoColumns.Writer writer = ProtoColumns.writer(type, 3, 6);
      writer.value(sample[1]);
      writer.noValue(FeatureStatus.NULL_VALUE);
      writer.noValue(FeatureStatus.NOT_FOUND);
      writer.value(sample[2]);
      writer.noValue(FeatureStatus.OUTSIDE_MAX_AGE);
      writer.value(sample[1]);
      FeatureColumn column = FeatureColumn.parseFrom(writer.build().toByteArray());

      ProtoColumns.Reader reader = ProtoColumns.reader(column, 6, "f");

      assertThat(reader.type()).as("%s", type).isEqualTo(type);
      assertThat(reader.viewIndex()).isEqualTo(3);
      List<FeatureStatus> statuses = new ArrayList<>();
      List<Object> values = new ArrayList<>();
      for (int row = 0; row < 6; row++) {
        statuses.add(reader.status(row));
        values.add(reader.value(row));
      }
      assertThat(statuses).as("%s", type).containsExactly(FeatureStatus.PRESENT, FeatureStatus.NULL_VALUE,
          FeatureStatus.NOT_FOUND, FeatureStatus.PRESENT, FeatureStatus.OUTSIDE_MAX_AGE, FeatureStatus.PRESENT);
      assertThat(values).as("%s", type).containsExactly(sample[1], null, null, sample[2], null, sample[1]);
    }
  }

  @Test
  void entries_viewPerDistinctKey_mapsEachRowToItsKeysEntry() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(3)
        .addViews(ViewRows.newBuilder().setFeatureView("user").addEventTimestamps(5))
        .addViews(ViewRows.newBuilder().setFeatureView("item").addAllEventTimestamps(List.of(1L, 2L, 3L)))
        .build();
    response = response.toBuilder().setViews(0, response.getViews(0).toBuilder().addAllKeyIndex(List.of(0, 0, 0)))
        .build();

    ProtoColumns.ViewEntries entries = ProtoColumns.entries(response);

    assertThat(entries.count(0)).isEqualTo(1);
    assertThat(entries.count(1)).isEqualTo(3);
    assertThat(List.of(entries.of(0, 0), entries.of(0, 1), entries.of(0, 2))).containsExactly(0, 0, 0);
    assertThat(List.of(entries.of(1, 0), entries.of(1, 1), entries.of(1, 2))).containsExactly(0, 1, 2);
  }

  @Test
  void entries_keyIndexPastTheKeys_isRefusedNamingViewAndRow() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(2)
        .addViews(ViewRows.newBuilder().setFeatureView("user").addEventTimestamps(5).addKeyIndex(0).addKeyIndex(1))
        .build();

    assertThatThrownBy(() -> ProtoColumns.entries(response))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read online response: view 'user' gives entity row 1 key index 1 of 1 keys");
  }

  @Test
  void entries_keyIndexOfOtherRowCount_isRefusedNamingTheView() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(3)
        .addViews(ViewRows.newBuilder().setFeatureView("user").addEventTimestamps(5).addKeyIndex(0).addKeyIndex(0))
        .build();

    assertThatThrownBy(() -> ProtoColumns.entries(response))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read online response: view 'user' has 2 key indexes for 3 entity rows");
  }

  @Test
  void entries_timestampsOfOtherRowCountWithoutKeyIndex_isRefusedNamingTheView() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(3)
        .addViews(ViewRows.newBuilder().setFeatureView("item").addEventTimestamps(5))
        .build();

    assertThatThrownBy(() -> ProtoColumns.entries(response))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read online response: view 'item' has 1 event timestamps for 3 entity rows");
  }

  @Test
  void writer_scalarColumn_packsOneValueSlotPerRow() {
    ProtoColumns.Writer writer = ProtoColumns.writer(ValueType.INT64, 0, 3);
    writer.value(5L);
    writer.noValue(FeatureStatus.NOT_FOUND);
    writer.value(6L);

    FeatureColumn column = writer.build();

    assertThat(column.getInt64ValuesList()).containsExactly(5L, 0L, 6L);
    assertThat(column.getType()).isEqualTo(dev.featurestore.proto.v1.ValueType.INT64);
    assertThat(column.getDoubleValuesCount()).isZero();
  }

  @Test
  void writer_listColumn_writesLengthsAndFlattenedElements() {
    ProtoColumns.Writer writer = ProtoColumns.writer(ValueType.STRING_LIST, 0, 3);
    writer.value(List.of("a", "b"));
    writer.noValue(FeatureStatus.NULL_VALUE);
    writer.value(List.of("c"));

    FeatureColumn column = writer.build();

    assertThat(column.getListLengthsList()).containsExactly(2, 0, 1);
    assertThat(column.getStringValuesList()).containsExactly("a", "b", "c");
  }

  @Test
  void noValue_presentStatus_isRefused() {
    ProtoColumns.Writer writer = ProtoColumns.writer(ValueType.INT64, 0, 1);

    assertThatThrownBy(() -> writer.noValue(FeatureStatus.PRESENT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot append a row without a value with status PRESENT");
  }

  @Test
  void reader_fewerValuesThanRows_namesColumnAndCounts() {
    FeatureColumn column = FeatureColumn.newBuilder().setType(dev.featurestore.proto.v1.ValueType.DOUBLE)
        .addStatuses(FeatureStatus.PRESENT).addStatuses(FeatureStatus.PRESENT).addDoubleValues(1).build();

    assertThatThrownBy(() -> ProtoColumns.reader(column, 2, "score"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read column 'score' of the online response: expected 2 rows of DOUBLE but it has 1 values");
  }

  @Test
  void reader_listLengthsNotMatchingElements_namesColumn() {
    FeatureColumn column = FeatureColumn.newBuilder().setType(dev.featurestore.proto.v1.ValueType.INT32_LIST)
        .addStatuses(FeatureStatus.PRESENT).addListLengths(2).addInt32Values(1).build();

    assertThatThrownBy(() -> ProtoColumns.reader(column, 1, "ids"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read column 'ids' of the online response: expected 1 rows of INT32_LIST but it has"
            + " lengths adding up to 2 but 1 elements");
  }
}
