package dev.featurestore.api.data;

/**
 * The one ordering rule of DESIGN.md, shared by the point-in-time join, materialization and every online store:
 * the row with the larger event timestamp wins; ties go to the larger created timestamp; full ties to the later
 * write.
 */
public final class EventTimeOrder {
  private EventTimeOrder() {}

  /**
   * Whether an incoming write (event {@code event}, created {@code created}) replaces the stored one. A full tie
   * replaces, because the incoming write is the later one.
   */
  public static boolean supersedes(long event, long created, long storedEvent, long storedCreated) {
    return event > storedEvent || (event == storedEvent && created >= storedCreated);
  }
}
