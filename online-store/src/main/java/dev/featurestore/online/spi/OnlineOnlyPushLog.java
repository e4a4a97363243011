package dev.featurestore.online.spi;

import dev.featurestore.api.data.FeatureRow;
import dev.featurestore.api.definition.FeatureView;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** The push log that keeps nothing, for servers whose pushes are online-only. */
final class OnlineOnlyPushLog implements PushLog {
  static final OnlineOnlyPushLog INSTANCE = new OnlineOnlyPushLog();
  private static final CompletionStage<Void> DONE = CompletableFuture.completedStage(null);

  private OnlineOnlyPushLog() {}

  @Override
  public CompletionStage<Void> append(FeatureView view, List<FeatureRow> rows) {
    return DONE;
  }

  @Override
  public void close() {}

  @Override
  public String toString() {
    return "PushLog.onlineOnly()";
  }
}
