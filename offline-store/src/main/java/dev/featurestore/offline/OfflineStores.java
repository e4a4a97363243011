package dev.featurestore.offline;

import java.nio.file.Path;
import java.util.Objects;

/** Creates offline stores. */
public final class OfflineStores {
  private OfflineStores() {}

  /**
   * An offline store on a local warehouse directory (created if missing), with Iceberg's Hadoop catalog: each
   * view's table lives in {@code warehouseDir/features/<view>}. Several stores may share a directory.
   */
  public static OfflineStore local(Path warehouseDir) {
    Objects.requireNonNull(warehouseDir, "warehouseDir");
    return IcebergOfflineStore.onLocalWarehouse(warehouseDir.toAbsolutePath());
  }
}
