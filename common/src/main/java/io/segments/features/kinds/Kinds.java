package io.segments.features.kinds;

import io.segments.config.FeatureKind;
import java.util.List;
import java.util.Map;

/** The one place where a feature kind of the config meets its implementation. */
public final class Kinds {
  private final Kind rfm;

  /** @param rfmMap the named RFM segments of the config, for {@code rfm} features */
  public Kinds(List<Map.Entry<String, String>> rfmMap) {
    this.rfm = new RfmKind(rfmMap);
  }

  public Kind of(FeatureKind kind) {
    return switch (kind) {
      case COUNT -> new CountKind();
      case ACTIVE_DAYS -> new ActiveDaysKind();
      case DISTINCT -> new DistinctKind();
      case SUM -> new SumKind();
      case RECENCY -> new RecencyKind();
      case TENURE -> new TenureKind();
      case SEQUENCE -> new SequenceKind();
      case STREAK -> new StreakKind();
      case REGULARLY -> new RegularlyKind();
      case SHARE -> new ShareKind();
      case TREND -> new TrendKind();
      case RFM -> rfm;
      case PURCHASE_SUMMARY -> new PurchaseSummaryKind();
      case EXPRESSION -> new ExpressionKind();
    };
  }
}
