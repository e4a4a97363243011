package dev.featurestore.online;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.ExecutionCallback;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Sends a write's invalidation to the near cache of every member of the hot cluster and completes once each has
 * dropped the keys: the barrier a write passes before it is acknowledged.
 *
 * <p>"Every member" is the sending member's member list, filtered to those that keep a near cache (member attribute
 * {@link #NEAR_CACHE_ATTRIBUTE}). A near cache fills only after every member in its own list knows it
 * ({@link NearCacheMembership}), so any member's list taken after that includes it. A client's member list is not
 * part of that check, so a client does not choose the members itself: it asks one member to fan out
 * ({@link NearCacheTask#fanOut}). A member that left while being invalidated counts as done: it is gone, or it was
 * cut off and suspends its own near cache when it notices (the window is in {@link NearCacheMembership}).
 */
final class NearCacheInvalidator {
  /** Marks a member that keeps a near cache (set before it starts, so every member list carries it). */
  static final String NEAR_CACHE_ATTRIBUTE = "fs.nearCache";
  /** Runs the invalidations (quick, never waiting). */
  static final String EXECUTOR = "fsnear";
  /** Runs the fan-outs asked for by clients, which wait on {@link #EXECUTOR}; two pools, so they cannot deadlock. */
  static final String FAN_OUT_EXECUTOR = "fsnear-fanout";

  private final HazelcastInstance hot;
  private final boolean client;
  private final IExecutorService executor;

  /**
   * Invalidates from {@code hot}, a member or a client of the hot cluster. Takes the executor's proxy here, off any
   * event loop: taking it may wait for the cluster, and writes later complete on Hazelcast's own threads, where a
   * client waiting for the cluster would wait for itself.
   */
  NearCacheInvalidator(HazelcastInstance hot) {
    this.hot = hot;
    this.client = !(hot.getLocalEndpoint() instanceof Member);
    this.executor = hot.getExecutorService(client ? FAN_OUT_EXECUTOR : EXECUTOR);
  }

  /** Completes once every near cache of the hot cluster dropped {@code names} of the view. */
  CompletableFuture<Void> invalidate(String viewName, List<String> names) {
    if (names.isEmpty()) {
      return CompletableFuture.completedFuture(null);
    }
    if (!client) {
      return fromMember(hot, executor, viewName, names);
    }
    CompletableFuture<Boolean> done = new CompletableFuture<>();
    executor.submit(NearCacheTask.fanOut(viewName, names), completing(done));
    return done.thenApply(ignored -> null);
  }

  /**
   * Invalidates from {@code member}, a member of the hot cluster, in every near cache of its member list, through
   * {@code executor} (its {@link #EXECUTOR}).
   */
  static CompletableFuture<Void> fromMember(
      HazelcastInstance member, IExecutorService executor, String viewName, List<String> names) {
    List<CompletableFuture<Void>> answers = new ArrayList<>();
    NearCacheTask task = NearCacheTask.invalidate(viewName, names);
    for (Member target : member.getCluster().getMembers()) {
      if (target.getAttribute(NEAR_CACHE_ATTRIBUTE) == null) {
        continue;
      }
      if (target.localMember()) {
        // No hop through the executor for this member's own near cache.
        NearCacheTask.invalidateHere(member, viewName, names);
        continue;
      }
      CompletableFuture<Boolean> answer = new CompletableFuture<>();
      executor.submitToMember(task, target, completing(answer));
      answers.add(answer.handle((ignored, failure) -> {
        if (failure != null && !left(failure)) {
          throw new CompletionException(failure);
        }
        return null;
      }));
    }
    return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new));
  }

  /** A callback that completes {@code future} with the answer or the failure of one executor call. */
  static <T> ExecutionCallback<T> completing(CompletableFuture<T> future) {
    return new ExecutionCallback<>() {
      @Override
      public void onResponse(T response) {
        future.complete(response);
      }

      @Override
      public void onFailure(Throwable failure) {
        future.completeExceptionally(failure);
      }
    };
  }

  private static boolean left(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && !(cause instanceof MemberLeftException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause instanceof MemberLeftException || cause instanceof TargetNotMemberException;
  }
}
