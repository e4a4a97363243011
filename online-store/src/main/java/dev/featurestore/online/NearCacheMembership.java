package dev.featurestore.online;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.LifecycleEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a member's near cache suspended whenever the hot cluster might not send it every write's invalidation, and
 * resumes it once every member it knows of knows it.
 *
 * <ul>
 *   <li><b>Start and rejoin.</b> Until every member in this member's list answers that its own list contains this
 *       member ({@link NearCacheTask#knows}), a write through another member may not invalidate here: the near cache
 *       stays suspended, and the check is repeated every {@value #RETRY_MILLIS} ms until it holds. A member that
 *       joins later receives a member list that already contains this one.
 *   <li><b>A member leaves or is removed.</b> From inside, this member cannot tell whether the other one crashed or
 *       whether this member is the one cut off, so it suspends the near cache (nothing cached so far is served
 *       again) and resumes only after the check above, with the members that remain.
 *   <li><b>Split brain and merge.</b> On {@code MERGING} it suspends; on {@code MERGED} it checks again.
 *   <li><b>Shutdown.</b> Suspends for good.
 * </ul>
 *
 * <p><b>The window.</b> When the network cuts this member off, the others remove it after their heartbeat timeout
 * ({@code hazelcast.max.no.heartbeat.seconds}, 60 s by default); until then their writes wait for its answer (and fail
 * after Hazelcast's call timeout), so none is acknowledged without it. From the moment they remove it until this member notices that they are gone (its own
 * heartbeat timeout, usually about the same time) it may serve rows that an acknowledged write on the other side
 * replaced. While the split lasts, each side is a hot cluster of its own, as for the hot tier's IMap: a side only
 * sees its own side's invalidations.
 */
final class NearCacheMembership implements AutoCloseable {
  static final long RETRY_MILLIS = 200;
  private static final Logger LOG = LoggerFactory.getLogger(NearCacheMembership.class);

  private final HazelcastInstance member;
  private final NearCache near;
  private final IExecutorService executor;
  private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "fs-near-cache-membership");
    thread.setDaemon(true);
    return thread;
  });
  private final UUID membershipListener;
  private final UUID lifecycleListener;
  private volatile boolean closed;

  NearCacheMembership(HazelcastInstance member, NearCache near) {
    this.member = member;
    this.near = near;
    this.executor = member.getExecutorService(NearCacheInvalidator.EXECUTOR);
    this.membershipListener = member.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent event) {
        // The new member checks for itself that everyone knows it; nothing changes for this one.
      }

      @Override
      public void memberRemoved(MembershipEvent event) {
        near.suspend();
        LOG.info("Near cache suspended: member {} left the hot cluster", event.getMember().getAddress());
        check();
      }
    });
    this.lifecycleListener = member.getLifecycleService().addLifecycleListener(event -> {
      if (event.getState() == LifecycleEvent.LifecycleState.MERGING) {
        near.suspend();
        LOG.info("Near cache suspended: the hot cluster is merging after a split");
      } else if (event.getState() == LifecycleEvent.LifecycleState.MERGED
          || event.getState() == LifecycleEvent.LifecycleState.MERGE_FAILED) {
        check();
      } else if (event.getState() == LifecycleEvent.LifecycleState.SHUTTING_DOWN) {
        closed = true;
        near.suspend();
      }
    });
    check();
  }

  /** Resumes the near cache once every member answers that it knows this one; retries until then. */
  private void check() {
    if (closed) {
      return;
    }
    long suspended = near.suspendedState();
    if ((suspended & 1) == 1) {
      return;
    }
    UUID self = member.getCluster().getLocalMember().getUuid();
    List<CompletableFuture<Boolean>> answers = new ArrayList<>();
    try {
      for (Member target : member.getCluster().getMembers()) {
        CompletableFuture<Boolean> answer = new CompletableFuture<>();
        executor.submitToMember(NearCacheTask.knows(self), target, NearCacheInvalidator.completing(answer));
        // A member that cannot answer now is asked again later.
        answers.add(answer.exceptionally(failure -> false));
      }
    } catch (RuntimeException e) {
      retryLater();
      return;
    }
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).thenRun(() -> {
      boolean all = answers.stream().allMatch(CompletableFuture::join);
      if (all && near.resume(suspended)) {
        LOG.info("Near cache filling: all {} members of the hot cluster know this one", answers.size());
      } else if (!all) {
        retryLater();
      }
    });
  }

  private void retryLater() {
    if (!closed) {
      try {
        retries.schedule(this::check, RETRY_MILLIS, TimeUnit.MILLISECONDS);
      } catch (RuntimeException e) {
        // closed meanwhile
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    near.suspend();
    retries.shutdownNow();
    try {
      member.getCluster().removeMembershipListener(membershipListener);
      member.getLifecycleService().removeLifecycleListener(lifecycleListener);
    } catch (RuntimeException e) {
      // the member is already shut down
    }
  }
}
