package dev.featurestore.deploy.quickstart;

import dev.featurestore.api.ValueType;
import dev.featurestore.api.definition.Definitions;
import dev.featurestore.api.definition.Entity;
import dev.featurestore.api.definition.FeatureRef;
import dev.featurestore.api.definition.FeatureService;
import dev.featurestore.api.definition.FeatureView;
import dev.featurestore.api.definition.JoinKey;
import dev.featurestore.api.definition.Source;
import dev.featurestore.sdk.FeatureRepo;
import java.time.Duration;

/**
 * The quickstart's example: a card-payments fraud model reading features of the user, of the merchant and of the
 * pair. This is what a team writes with the SDK.
 */
public final class ExampleRepo {
  public static final String USER_STATS = "user_stats";
  public static final String MERCHANT_STATS = "merchant_stats";
  public static final String USER_MERCHANT_STATS = "user_merchant_stats";
  public static final String FRAUD_MODEL = "fraud_model";

  private ExampleRepo() {}

  public static Definitions definitions() {
    Entity user = Entity.of("user", JoinKey.of("user_id", ValueType.INT64)).withDescription("A card holder");
    Entity merchant = Entity.of("merchant", JoinKey.of("merchant_id", ValueType.INT64))
        .withDescription("A shop accepting card payments");
    FeatureView userStats = FeatureView.builder(USER_STATS)
        .entity("user")
        .feature("txn_count_7d", ValueType.INT64)
        .feature("avg_amount_7d", ValueType.DOUBLE)
        .feature("country", ValueType.STRING)
        .ttl(Duration.ofDays(2))
        .source(Source.batchFile("user_stats.csv"))
        .tag("team", "risk")
        .owner("risk@example.com")
        .description("Rolling spend of each user, recomputed hourly")
        .build();
    FeatureView merchantStats = FeatureView.builder(MERCHANT_STATS)
        .entity("merchant")
        .feature("fraud_rate_30d", ValueType.DOUBLE)
        .feature("category", ValueType.STRING)
        .ttl(Duration.ofDays(7))
        .source(Source.batchFile("merchant_stats.csv"))
        .description("Chargeback rate of each merchant, recomputed daily")
        .build();
    FeatureView pairStats = FeatureView.builder(USER_MERCHANT_STATS)
        .entity("user")
        .entity("merchant")
        .feature("txn_count_30d", ValueType.INT64)
        .feature("last_amount", ValueType.DOUBLE)
        .ttl(Duration.ofDays(30))
        .source(Source.batchFile("user_merchant_stats.csv"))
        .description("How often a user pays at a merchant")
        .build();
    FeatureService fraudModel = FeatureService.of(FRAUD_MODEL,
            FeatureRef.allOf(USER_STATS),
            FeatureRef.of(MERCHANT_STATS, "fraud_rate_30d"),
            FeatureRef.of(USER_MERCHANT_STATS, "txn_count_30d"))
        .withDescription("Features of the card fraud model");
    return FeatureRepo.builder()
        .entities(user, merchant)
        .views(userStats, merchantStats, pairStats)
        .service(fraudModel)
        .build();
  }
}
