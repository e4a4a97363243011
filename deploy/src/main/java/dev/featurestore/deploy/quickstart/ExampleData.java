package dev.featurestore.deploy.quickstart;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Locale;
import java.util.Random;

/**
 * Generates the quickstart's feature history and training entities as CSV files: deterministic for a given end
 * time, so that two runs at the same hour produce the same files.
 */
public final class ExampleData {
  public static final int USERS = 200;
  public static final int MERCHANTS = 40;
  public static final int DAYS = 14;
  public static final int ENTITY_ROWS = 2_000;
  private static final String[] COUNTRIES = {"DE", "FR", "NL", "PL", "SE"};
  private static final String[] CATEGORIES = {"grocery", "travel", "electronics", "fashion"};

  private final Instant end;
  private final Random random = new Random(42);

  /** @param end the newest event time; history spans the {@link #DAYS} days before it */
  public ExampleData(Instant end) {
    this.end = end.truncatedTo(ChronoUnit.HOURS);
  }

  public Instant end() {
    return end;
  }

  public Instant start() {
    return end.minus(Duration.ofDays(DAYS));
  }

  /** Hourly snapshots of each user's stats (every 6 hours per user, staggered). */
  public long writeUserStats(Path file) {
    return write(file, "user_id,event_timestamp,created_timestamp,txn_count_7d,avg_amount_7d,country", out -> {
      long rows = 0;
      for (int user = 1; user <= USERS; user++) {
        String country = COUNTRIES[user % COUNTRIES.length];
        for (Instant t = start().plus(Duration.ofHours(user % 6)); !t.isAfter(end); t = t.plus(Duration.ofHours(6))) {
          line(out, user, t, t.plus(Duration.ofMinutes(5)), random.nextInt(40),
              String.format(Locale.ROOT, "%.2f", 5 + random.nextDouble() * 120), country);
          rows++;
        }
      }
      return rows;
    });
  }

  /** Daily snapshots of each merchant's stats. */
  public long writeMerchantStats(Path file) {
    return write(file, "merchant_id,event_timestamp,created_timestamp,fraud_rate_30d,category", out -> {
      long rows = 0;
      for (int merchant = 1; merchant <= MERCHANTS; merchant++) {
        for (Instant t = start(); !t.isAfter(end); t = t.plus(Duration.ofDays(1))) {
          line(out, merchant, t, t.plus(Duration.ofMinutes(30)),
              String.format(Locale.ROOT, "%.4f", random.nextDouble() * 0.05), CATEGORIES[merchant % 4]);
          rows++;
        }
      }
      return rows;
    });
  }

  /** One row per payment of a user at a merchant. */
  public long writeUserMerchantStats(Path file) {
    return write(file, "user_id,merchant_id,event_timestamp,created_timestamp,txn_count_30d,last_amount", out -> {
      long rows = 0;
      long spanSeconds = Duration.between(start(), end).getSeconds();
      for (int i = 0; i < USERS * 10; i++) {
        int user = 1 + random.nextInt(USERS);
        int merchant = 1 + random.nextInt(MERCHANTS);
        Instant t = start().plusSeconds((long) (random.nextDouble() * spanSeconds));
        line(out, user, merchant, t, t.plusSeconds(1), 1 + random.nextInt(30),
            String.format(Locale.ROOT, "%.2f", 1 + random.nextDouble() * 300));
        rows++;
      }
      return rows;
    });
  }

  /** Labelled payments to train on: user, merchant, when, and whether it was fraud. */
  public long writeEntities(Path file) {
    return write(file, "user_id,merchant_id,event_timestamp,is_fraud", out -> {
      long spanSeconds = Duration.between(start(), end).getSeconds();
      for (int i = 0; i < ENTITY_ROWS; i++) {
        Instant t = start().plusSeconds((long) (random.nextDouble() * spanSeconds));
        line(out, 1 + random.nextInt(USERS), 1 + random.nextInt(MERCHANTS), t, random.nextInt(50) == 0);
      }
      return ENTITY_ROWS;
    });
  }

  private interface Body {
    long write(BufferedWriter out) throws IOException;
  }

  private static long write(Path file, String header, Body body) {
    try (BufferedWriter out = Files.newBufferedWriter(file)) {
      out.write(header);
      out.newLine();
      return body.write(out);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write example data to " + file, e);
    }
  }

  private static void line(BufferedWriter out, Object... cells) throws IOException {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) {
        out.write(',');
      }
      out.write(String.valueOf(cells[i]));
    }
    out.newLine();
  }
}
