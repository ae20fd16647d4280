package io.segments.features.kinds;

import io.segments.config.FeatureKind;
import java.util.List;
import java.util.Map;

/** The one place where a feature kind of the config meets its implementation. */
public final class Kinds {
  private final Kind rfm;
  private final Kind distinct;

  /** Kinds of a config without a {@code source.vocabulary}. */
  public Kinds(List<Map.Entry<String, String>> rfmMap) {
    this(rfmMap, List.of());
  }

  /**
   * @param rfmMap the named RFM segments of the config, for {@code rfm} features
   * @param vocabulary {@code source.vocabulary}, the only event names the rollup holds (empty: any)
   */
  public Kinds(List<Map.Entry<String, String>> rfmMap, List<String> vocabulary) {
    this.rfm = new RfmKind(rfmMap);
    this.distinct = new DistinctKind(vocabulary);
  }

  public Kind of(FeatureKind kind) {
    return switch (kind) {
      case COUNT -> new CountKind();
      case ACTIVE_DAYS -> new ActiveDaysKind();
      case DISTINCT -> distinct;
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
