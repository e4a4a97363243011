package dev.featurestore.online;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import com.hazelcast.nio.ObjectDataInput;
import com.hazelcast.nio.ObjectDataOutput;
import com.hazelcast.nio.serialization.DataSerializable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * What one member of the hot cluster runs for the near caches, through an {@code IExecutorService}:
 *
 * <ul>
 *   <li>{@link #invalidate}: drops keys of a view from this member's near cache (nothing if it has none);
 *   <li>{@link #fanOut}: on behalf of a client, which cannot see every member reliably, sends {@link #invalidate} to
 *       every near cache this member knows of and answers once all have;
 *   <li>{@link #knows}: whether this member's member list contains a given member, that is, whether its
 *       invalidations reach that member's near cache.
 * </ul>
 *
 * DataSerializable rather than IdentifiedDataSerializable so that a member needs no factory configured for it.
 */
final class NearCacheTask implements Callable<Boolean>, DataSerializable, HazelcastInstanceAware {
  /** Where a member keeps its near cache for these tasks: its Hazelcast user context. */
  static final String USER_CONTEXT_KEY = "dev.featurestore.online.NearCache";
  /** A fan-out waits at most this long for the members it invalidates; Hazelcast fails a dead one sooner. */
  private static final long FAN_OUT_TIMEOUT_SECONDS = 60;

  private static final byte INVALIDATE = 1;
  private static final byte FAN_OUT = 2;
  private static final byte KNOWS = 3;

  private byte mode;
  private String viewName;
  private List<String> names;
  private UUID member;
  private transient HazelcastInstance instance;

  NearCacheTask() {
    // for deserialization
  }

  private NearCacheTask(byte mode, String viewName, List<String> names, UUID member) {
    this.mode = mode;
    this.viewName = viewName;
    this.names = names;
    this.member = member;
  }

  static NearCacheTask invalidate(String viewName, List<String> names) {
    return new NearCacheTask(INVALIDATE, viewName, names, null);
  }

  static NearCacheTask fanOut(String viewName, List<String> names) {
    return new NearCacheTask(FAN_OUT, viewName, names, null);
  }

  static NearCacheTask knows(UUID member) {
    return new NearCacheTask(KNOWS, null, List.of(), member);
  }

  @Override
  public void setHazelcastInstance(HazelcastInstance instance) {
    this.instance = instance;
  }

  @Override
  public Boolean call() throws Exception {
    switch (mode) {
      case INVALIDATE:
        invalidateHere(instance, viewName, names);
        return true;
      case FAN_OUT:
        // Blocks a thread of its own executor (not the one running INVALIDATE, so it cannot wait on itself).
        try {
          NearCacheInvalidator.fromMember(
                  instance, instance.getExecutorService(NearCacheInvalidator.EXECUTOR), viewName, names)
              .get(FAN_OUT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          throw e.getCause() instanceof Exception cause ? cause : e;
        } catch (TimeoutException e) {
          throw new IllegalStateException("Cannot invalidate the near caches of view '" + viewName + "': no answer"
              + " from every member within " + FAN_OUT_TIMEOUT_SECONDS + " s", e);
        }
        return true;
      case KNOWS:
        return instance.getCluster().getMembers().stream().anyMatch(known -> known.getUuid().equals(member));
      default:
        throw new IllegalStateException("Cannot run a near cache task: mode " + mode);
    }
  }

  /** Drops keys of a view from the near cache of {@code member}, if it keeps one. */
  static void invalidateHere(HazelcastInstance member, String viewName, List<String> names) {
    if (member.getUserContext().get(USER_CONTEXT_KEY) instanceof NearCache near) {
      near.invalidate(viewName, names);
    }
  }

  @Override
  public void writeData(ObjectDataOutput out) throws IOException {
    out.writeByte(mode);
    out.writeString(viewName);
    out.writeInt(names.size());
    for (String name : names) {
      out.writeString(name);
    }
    out.writeObject(member);
  }

  @Override
  public void readData(ObjectDataInput in) throws IOException {
    mode = in.readByte();
    viewName = in.readString();
    int count = in.readInt();
    names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      names.add(in.readString());
    }
    member = in.readObject();
  }
}
