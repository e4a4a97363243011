package dev.featurestore.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExternalSorterTest {
  /** A key to sort by and the order it was added in, to see stability. */
  record Item(int key, int added) {}

  private static final SpillCodec<Item> CODEC = new SpillCodec<>() {
    @Override
    public void write(DataOutput out, Item item) throws IOException {
      out.writeInt(item.key());
      out.writeInt(item.added());
    }

    @Override
    public Item read(DataInput in) throws IOException {
      return new Item(in.readInt(), in.readInt());
    }

    @Override
    public long heapBytes(Item item) {
      return 24;
    }
  };

  @TempDir Path dir;

  @Test
  void sorted_withinBudget_sortsInMemoryAndStably() {
    try (ExternalSorter<Item> sorter = sorter(1 << 20)) {
      List<Item> items = addRandom(sorter, 1_000);

      assertThat(drain(sorter.sorted())).containsExactlyElementsOf(stableSorted(items));
      assertThat(sorter.spilledRuns()).isZero();
    }
  }

  @Test
  void sorted_overBudget_spillsRunsAndMergesThemStably() throws IOException {
    try (ExternalSorter<Item> sorter = sorter(32 * 100)) {
      List<Item> items = addRandom(sorter, 1_000);

      assertThat(drain(sorter.sorted())).containsExactlyElementsOf(stableSorted(items));
      assertThat(sorter.spilledRuns()).isEqualTo(10);
    }
    assertThat(runFiles()).isEmpty();
  }

  @Test
  void sorted_moreRunsThanMergedAtOnce_mergesInPassesStably() throws IOException {
    try (ExternalSorter<Item> sorter = sorter(32 * 10)) {
      List<Item> items = addRandom(sorter, 3_000);

      assertThat(drain(sorter.sorted())).containsExactlyElementsOf(stableSorted(items));
      assertThat(runFiles()).hasSizeLessThanOrEqualTo(64);
    }
    assertThat(runFiles()).isEmpty();
  }

  @Test
  void add_afterSorted_isRefused() {
    try (ExternalSorter<Item> sorter = sorter(1 << 20)) {
      sorter.sorted();

      assertThatThrownBy(() -> sorter.add(new Item(1, 1)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("Cannot add to sorter 'items': it is already being read");
    }
  }

  private ExternalSorter<Item> sorter(long budget) {
    return new ExternalSorter<>("items", CODEC, Comparator.comparingInt(Item::key), budget, dir);
  }

  private static List<Item> addRandom(ExternalSorter<Item> sorter, int count) {
    Random random = new Random(count);
    List<Item> items = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      // few distinct keys: many ties, so that stability shows
      Item item = new Item(random.nextInt(20), i);
      items.add(item);
      sorter.add(item);
    }
    return items;
  }

  private static List<Item> stableSorted(List<Item> items) {
    List<Item> sorted = new ArrayList<>(items);
    sorted.sort(Comparator.comparingInt(Item::key).thenComparingInt(Item::added));
    return sorted;
  }

  private static List<Item> drain(Iterator<Item> iterator) {
    List<Item> out = new ArrayList<>();
    iterator.forEachRemaining(out::add);
    return out;
  }

  private List<Path> runFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
