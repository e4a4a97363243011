package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.featurestore.api.error.InvalidRequestException;
import java.time.Duration;
import java.util.List;
import org.apache.iceberg.DataFile;
import org.apache.iceberg.DataFiles;
import org.apache.iceberg.FileFormat;
import org.apache.iceberg.PartitionSpec;
import org.junit.jupiter.api.Test;

/** The compaction plan and the validation of the table care options. */
class TableCareOptionsTest {
  private static final CompactionOptions OPTIONS = new CompactionOptions(100, 250, 2);

  @Test
  void chunks_runsOfSmallFiles_areCutAtLargeFilesAndTargetSize() {
    List<DataFile> files = List.of(file("a", 10), file("b", 20), file("big", 500), file("c", 90), file("d", 90),
        file("e", 90), file("f", 50));

    List<List<DataFile>> chunks = Compaction.chunks(files, OPTIONS);

    assertThat(chunks).extracting(chunk -> chunk.stream().map(DataFile::location).toList())
        .containsExactly(List.of("a.parquet", "b.parquet"), List.of("c.parquet", "d.parquet"), List.of("e.parquet", "f.parquet"));
  }

  @Test
  void chunks_singleSmallFileBetweenLargeOnes_staysAsItIs() {
    List<DataFile> files = List.of(file("big1", 500), file("a", 10), file("big2", 500));

    assertThat(Compaction.chunks(files, OPTIONS)).isEmpty();
  }

  @Test
  void compactionOptions_targetBelowSmall_isRefusedNamingBoth() {
    assertThatThrownBy(() -> new CompactionOptions(100, 50, 2))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot compact: target file size 50 is below the small file size 100");
  }

  @Test
  void compactionOptions_oneInputFile_isRefused() {
    assertThatThrownBy(() -> CompactionOptions.defaults().withMinInputFiles(1))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot compact: minimum input files 1 must be at least 2");
  }

  @Test
  void retentionPolicy_defaults_keepSevenDaysAndTenSnapshots() {
    assertThat(RetentionPolicy.defaults()).isEqualTo(new RetentionPolicy(Duration.ofDays(7), 10));
  }

  @Test
  void retentionPolicy_badValues_areRefusedNamingThem() {
    assertThatThrownBy(() -> RetentionPolicy.defaults().withRetainLast(0))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot expire snapshots: retain-last 0 must be at least 1");
    assertThatThrownBy(() -> RetentionPolicy.defaults().withMaxAge(Duration.ofHours(-1)))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("Cannot expire snapshots: maximum age PT-1H is negative");
  }

  private static DataFile file(String name, long bytes) {
    return DataFiles.builder(PartitionSpec.unpartitioned())
        .withPath(name + ".parquet")
        .withFormat(FileFormat.PARQUET)
        .withFileSizeInBytes(bytes)
        .withRecordCount(1)
        .build();
  }
}
