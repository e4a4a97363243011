package dev.featurestore.online;

import com.hazelcast.map.EntryProcessor;
import com.hazelcast.map.ExtendedMapEntry;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The three operations on an entry of the hot tier ({@link TieredOnlineStore}), each atomic on the key's partition
 * thread. An entry holds either a cached record (17 bytes or more: header, format, count) or a lease: the 8-byte
 * token of a read that missed and is fetching the key from Redis.
 *
 * <ul>
 *   <li>{@link #read}: returns the cached record; on a miss returns the lease in place, or places a new one with
 *       the read's token, and returns it.
 *   <li>{@link #populate}: stores the record a read fetched from Redis only if the read's lease is still in place,
 *       or if a cached record is there and the fetched one supersedes it (event-time-wins); a null record just
 *       releases the lease. Anything else (absent, another lease) means an invalidation or eviction happened since
 *       the read placed its lease, and the fetched record may predate an acknowledged write: it is dropped.
 *   <li>{@link #invalidate}: removes record and lease alike.
 * </ul>
 *
 * DataSerializable rather than IdentifiedDataSerializable so that a member needs no factory configured for it.
 */
final class HotTierProcessor implements EntryProcessor<String, byte[], byte[]>, DataSerializable {
  static final int LEASE_BYTES = 8;
  /** A lease outlives any Redis round trip; an abandoned one (the read failed) goes by itself. */
  static final long LEASE_TTL_MILLIS = 30_000;

  private static final byte READ = 1;
  private static final byte POPULATE = 2;
  private static final byte INVALIDATE = 3;

  private byte mode;
  private byte[] lease;
  private byte[] record;
  private long expireAtMillis;

  HotTierProcessor() {
    // for deserialization
  }

  private HotTierProcessor(byte mode, byte[] lease, byte[] record, long expireAtMillis) {
    this.mode = mode;
    this.lease = lease;
    this.record = record;
    this.expireAtMillis = expireAtMillis;
  }

  static HotTierProcessor read(byte[] lease) {
    return new HotTierProcessor(READ, lease, null, 0);
  }

  /** Stores {@code record} (null: none in Redis) under {@code lease}; it expires at {@code expireAtMillis}. */
  static HotTierProcessor populate(byte[] lease, byte[] record, long expireAtMillis) {
    return new HotTierProcessor(POPULATE, lease, record, expireAtMillis);
  }

  static HotTierProcessor invalidate() {
    return new HotTierProcessor(INVALIDATE, null, null, 0);
  }

  static boolean isLease(byte[] value) {
    return value != null && value.length == LEASE_BYTES;
  }

  @Override
  public byte[] process(Map.Entry<String, byte[]> entry) {
    byte[] current = entry.getValue();
    switch (mode) {
      case READ:
        if (current != null) {
          return current;
        }
        set(entry, lease, LEASE_TTL_MILLIS);
        return lease;
      case POPULATE:
        boolean ownLease = isLease(current) && Arrays.equals(current, lease);
        boolean newerRecord = current != null && !isLease(current) && record != null
            && RecordCodec.supersedes(record, current);
        if (ownLease && record == null) {
          entry.setValue(null);
        } else if (ownLease || newerRecord) {
          if (expireAtMillis == KeyExpiry.NEVER) {
            set(entry, record, 0);
          } else {
            long ttl = expireAtMillis - System.currentTimeMillis();
            if (ttl > 0) {
              set(entry, record, ttl);
            } else {
              entry.setValue(null);
            }
          }
        }
        return null;
      case INVALIDATE:
        if (current != null) {
          entry.setValue(null);
        }
        return null;
      default:
        throw new IllegalStateException("Cannot process a hot tier entry: mode " + mode);
    }
  }

  /** Sets the value with a time to live in milliseconds, 0 for none. */
  private static void set(Map.Entry<String, byte[]> entry, byte[] value, long ttlMillis) {
    if (entry instanceof ExtendedMapEntry<String, byte[]> extended) {
      extended.setValue(value, ttlMillis, TimeUnit.MILLISECONDS);
    } else {
      entry.setValue(value);
    }
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(mode);
    out.writeByteArray(lease);
    out.writeByteArray(record);
    out.writeLong(expireAtMillis);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    mode = in.readByte();
    lease = in.readByteArray();
    record = in.readByteArray();
    expireAtMillis = in.readLong();
  }
}
