package dev.featurestore.online;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;

/**
 * Event-time-wins on the member that owns the key: replaces the stored record only when the incoming one
 * supersedes it. Runs on the key's partition thread, so the read-compare-write is atomic. Returns whether it wrote.
 * DataSerializable rather than IdentifiedDataSerializable so that a member needs no factory configured for it.
 */
final class HazelcastWriteProcessor implements EntryProcessor<String, byte[], Boolean>, DataSerializable {
  private byte[] record;

  HazelcastWriteProcessor() {
    // for deserialization
  }

  HazelcastWriteProcessor(byte[] record) {
    this.record = record;
  }

  @Override
  public Boolean process(Map.Entry<String, byte[]> entry) {
    byte[] stored = entry.getValue();
    if (stored != null && !RecordCodec.supersedes(record, stored)) {
      return false;
    }
    entry.setValue(record);
    return true;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByteArray(record);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    record = in.readByteArray();
  }
}
