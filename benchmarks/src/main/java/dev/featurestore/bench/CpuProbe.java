package dev.featurestore.bench;

import java.lang.management.ManagementFactory;
import java.util.Locale;

/**
 * CPU time and heap allocation of this JVM over a measured run, for figures that stay meaningful on a loaded
 * machine where latency does not: process CPU (every thread, including the load generator, JIT and GC), the CPU of
 * the threads whose name starts with a prefix (for example the inference workers), and the bytes allocated by
 * threads alive at both ends of the run. HotSpot only ({@code com.sun.management}); -1 where unsupported.
 */
final class CpuProbe {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final com.sun.management.ThreadMXBean threads =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
  private final String threadPrefix;

  /** A reading at one moment. */
  record Reading(long processCpuNanos, long threadsCpuNanos, long allocatedBytes) {}

  /** Per request between two readings. */
  record PerRequest(double processCpuMillis, double threadsCpuMillis, double allocatedKiB) {
    String text(String threadLabel) {
      return String.format(Locale.ROOT, "cpu/req %.3f ms (%s %.3f ms)  alloc/req %.0f KiB", processCpuMillis,
          threadLabel, threadsCpuMillis, allocatedKiB);
    }
  }

  CpuProbe(String threadPrefix) {
    this.threadPrefix = threadPrefix;
    if (threads.isThreadAllocatedMemorySupported()) {
      threads.setThreadAllocatedMemoryEnabled(true);
    }
  }

  Reading read() {
    long[] ids = threads.getAllThreadIds();
    long allocated = 0;
    for (long bytes : threads.getThreadAllocatedBytes(ids)) {
      allocated += Math.max(0, bytes);
    }
    long named = 0;
    for (java.lang.management.ThreadInfo info : threads.getThreadInfo(ids)) {
      if (info != null && info.getThreadName().startsWith(threadPrefix)) {
        named += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
      }
    }
    return new Reading(os.getProcessCpuTime(), named, allocated);
  }

  static PerRequest between(Reading before, Reading after, long requests) {
    double n = Math.max(1, requests);
    return new PerRequest((after.processCpuNanos() - before.processCpuNanos()) / 1e6 / n,
        (after.threadsCpuNanos() - before.threadsCpuNanos()) / 1e6 / n,
        (after.allocatedBytes() - before.allocatedBytes()) / 1024.0 / n);
  }
}
