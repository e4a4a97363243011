package dev.featurestore.offline;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** How {@link ExternalSorter} writes a record to a spill file, reads it back, and estimates its size in memory. */
interface SpillCodec<T> {
  void write(DataOutput out, T record) throws IOException;

  T read(DataInput in) throws IOException;

  /** Approximate heap bytes the record takes while buffered (object headers included). */
  long heapBytes(T record);
}
