package dev.featurestore.bench;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;

/**
 * The largest heap in use right after a garbage collection while it is open: what the measured work held live
 * (plus old garbage not yet collected), from the collectors' notifications. Why not the heap pools' peak usage:
 * their sum adds each pool's own peak, reached at different moments (eden just before a collection, the old
 * generation later), and exceeded the maximum heap itself on the join's largest shape.
 */
final class LiveHeapPeak implements NotificationListener, AutoCloseable {
  private final Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
      .filter(pool -> pool.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
  private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
  private final AtomicLong peak = new AtomicLong();

  LiveHeapPeak() {
    for (GarbageCollectorMXBean collector : collectors) {
      ((NotificationEmitter) collector).addNotificationListener(this, null, null);
    }
  }

  /** The peak so far, in bytes; 0 when no collection ran. */
  long bytes() {
    return peak.get();
  }

  @Override
  public void handleNotification(Notification notification, Object handback) {
    if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
      return;
    }
    Map<String, MemoryUsage> after = GarbageCollectionNotificationInfo
        .from((CompositeData) notification.getUserData()).getGcInfo().getMemoryUsageAfterGc();
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : after.entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    peak.accumulateAndGet(used, Math::max);
  }

  @Override
  public void close() {
    for (GarbageCollectorMXBean collector : collectors) {
      try {
        ((NotificationEmitter) collector).removeNotificationListener(this);
      } catch (ListenerNotFoundException ignored) {
        // never added: nothing to remove
      }
    }
  }
}
