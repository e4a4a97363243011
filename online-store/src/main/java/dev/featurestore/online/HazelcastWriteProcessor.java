package dev.featurestore.online;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Event-time-wins on the member that owns the key: replaces the stored record only when the incoming one
 * supersedes it, and gives the entry a time to live up to the record's expiry. Runs on the key's partition thread,
 * so the read-compare-write is atomic; a write that loses changes neither value nor expiry. Returns whether it
 * wrote. DataSerializable rather than IdentifiedDataSerializable so that a member needs no factory configured for
 * it.
 */
final class HazelcastWriteProcessor implements EntryProcessor<String, byte[], Boolean>, DataSerializable {
  private byte[] record;
  private long expireAtMillis;

  HazelcastWriteProcessor() {
    // for deserialization
  }

  /** The record to write and the epoch millisecond it expires at, {@link KeyExpiry#NEVER} for never. */
  HazelcastWriteProcessor(byte[] record, long expireAtMillis) {
    this.record = record;
    this.expireAtMillis = expireAtMillis;
  }

  @Override
  public Boolean process(Map.Entry<String, byte[]> entry) {
    byte[] stored = entry.getValue();
    if (stored != null && !RecordCodec.supersedes(record, stored)) {
      return false;
    }
    if (!(entry instanceof ExtendedMapEntry<String, byte[]> extended)) {
      entry.setValue(record);
      return true;
    }
    if (expireAtMillis == KeyExpiry.NEVER) {
      // A TTL of 0 means "never expires", also clearing the expiry a record written under a former TTL had.
      extended.setValue(record, 0, TimeUnit.MILLISECONDS);
      return true;
    }
    long ttl = expireAtMillis - System.currentTimeMillis();
    if (ttl <= 0) {
      // Stale beyond its grace already: keep nothing; an older stored row would be past its expiry too.
      entry.setValue(null);
    } else {
      extended.setValue(record, ttl, TimeUnit.MILLISECONDS);
    }
    return true;
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByteArray(record);
    out.writeLong(expireAtMillis);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    record = in.readByteArray();
    expireAtMillis = in.readLong();
  }
}
