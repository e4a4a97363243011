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
import java.util.Arrays;
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
  void rows_viewPerDistinctKey_readsEachRowThroughItsKeysEntry() {
    ProtoColumns.Writer userAge = ProtoColumns.writer(ValueType.INT64, 0, 1);
    userAge.value(40L);
    ProtoColumns.Writer itemPrice = ProtoColumns.writer(ValueType.INT64, 1, 3);
    itemPrice.value(7L);
    itemPrice.noValue(FeatureStatus.NOT_FOUND);
    itemPrice.value(9L);
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(3)
        .addAllFeatureNames(List.of("age", "price"))
        .addColumns(userAge.build())
        .addColumns(itemPrice.build())
        .addViews(ViewRows.newBuilder().setFeatureView("user").addEventTimestamps(5).addAllKeyIndex(List.of(0, 0, 0)))
        .addViews(ViewRows.newBuilder().setFeatureView("item").addAllEventTimestamps(List.of(1L, 0L, 3L)))
        .build();

    ProtoColumns.ResponseRows rows = ProtoColumns.rows(response);

    assertThat(rows.rowCount()).isEqualTo(3);
    for (int row = 0; row < 3; row++) {
      assertThat(rows.value(row, 0)).isEqualTo(40L);
      assertThat(rows.status(row, 0)).isEqualTo(FeatureStatus.PRESENT);
      assertThat(rows.eventTimestamp(row, 0)).isEqualTo(5);
    }
    assertThat(List.of(rows.eventTimestamp(0, 1), rows.eventTimestamp(1, 1), rows.eventTimestamp(2, 1)))
        .containsExactly(1L, 0L, 3L);
    assertThat(Arrays.asList(rows.value(0, 1), rows.value(1, 1), rows.value(2, 1))).containsExactly(7L, null, 9L);
    assertThat(rows.status(1, 1)).isEqualTo(FeatureStatus.NOT_FOUND);
  }

  @Test
  void rows_columnOfNoView_isRefusedNamingIt() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(0)
        .addFeatureNames("age").addColumns(ProtoColumns.writer(ValueType.INT64, 2, 0).build())
        .addViews(ViewRows.newBuilder().setFeatureView("user"))
        .build();

    assertThatThrownBy(() -> ProtoColumns.rows(response))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read online response: column 'age' points to view 2 of 1");
  }

  @Test
  void rows_keyIndexPastTheKeys_isRefusedNamingViewAndRow() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(2)
        .addViews(ViewRows.newBuilder().setFeatureView("user").addEventTimestamps(5).addKeyIndex(0).addKeyIndex(1))
        .build();

    assertThatThrownBy(() -> ProtoColumns.rows(response))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read online response: view 'user' gives entity row 1 key index 1 of 1 keys");
  }

  @Test
  void rows_keyIndexOfOtherRowCount_isRefusedNamingTheView() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(3)
        .addViews(ViewRows.newBuilder().setFeatureView("user").addEventTimestamps(5).addKeyIndex(0).addKeyIndex(0))
        .build();

    assertThatThrownBy(() -> ProtoColumns.rows(response))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot read online response: view 'user' has 2 key indexes for 3 entity rows");
  }

  @Test
  void rows_timestampsOfOtherRowCountWithoutKeyIndex_isRefusedNamingTheView() {
    GetOnlineFeaturesResponse response = GetOnlineFeaturesResponse.newBuilder().setEntityCount(3)
        .addViews(ViewRows.newBuilder().setFeatureView("item").addEventTimestamps(5))
        .build();

    assertThatThrownBy(() -> ProtoColumns.rows(response))
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
