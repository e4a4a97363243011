package dev.featurestore.online;

import com.hazelcast.core.ReadOnly;
import com.hazelcast.map.EntryProcessor;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.util.Map;

/** Returns the stored record of each key; read-only, so it runs without backups or entry locking. */
final class HazelcastReadProcessor implements EntryProcessor<String, byte[], byte[]>, ReadOnly, DataSerializable {
  static final HazelcastReadProcessor INSTANCE = new HazelcastReadProcessor();

  HazelcastReadProcessor() {
    // for deserialization
  }

  @Override
  public byte[] process(Map.Entry<String, byte[]> entry) {
    return entry.getValue();
  }

  @Override
  public EntryProcessor<String, byte[], byte[]> getBackupProcessor() {
    return null;
  }

  @Override
  public void writeData(ObjectDataOutput out) {
    // stateless
  }

  @Override
  public void readData(ObjectDataInput in) {
    // stateless
  }
}
