package io.segments.discover;

/**
 * The outcome rate of the users with a behavior against those without it, on one half of the cohorts: the
 * difference in points with its Newcombe (hybrid Wilson score) 95% interval, and the lift.
 *
 * @param withUsers users with the behavior; {@code withOutcome} of them reached the outcome
 * @param withoutUsers users without it; {@code withoutOutcome} of them reached the outcome
 */
public record Difference(long withUsers, long withOutcome, long withoutUsers, long withoutOutcome) {
  private static final double Z = 1.96;

  /** The difference from the counts of the users with the behavior and the totals of the half. */
  public static Difference of(long withUsers, long withOutcome, long totalUsers, long totalOutcome) {
    return new Difference(withUsers, withOutcome, totalUsers - withUsers, totalOutcome - withOutcome);
  }

  public double rateWith() {
    return rate(withOutcome, withUsers);
  }

  public double rateWithout() {
    return rate(withoutOutcome, withoutUsers);
  }

  /** rate with − rate without, in percentage points (NaN when a side is empty). */
  public double points() {
    return 100 * (rateWith() - rateWithout());
  }

  /** Lower bound of the 95% interval of {@link #points()} (Newcombe 1998, method 10). */
  public double lo() {
    double[] with = wilson(withOutcome, withUsers);
    double[] without = wilson(withoutOutcome, withoutUsers);
    return points() - 100 * Math.hypot(rateWith() - with[0], without[1] - rateWithout());
  }

  /** Upper bound of the 95% interval of {@link #points()}. */
  public double hi() {
    double[] with = wilson(withOutcome, withUsers);
    double[] without = wilson(withoutOutcome, withoutUsers);
    return points() + 100 * Math.hypot(with[1] - rateWith(), rateWithout() - without[0]);
  }

  /** rate with ÷ rate without; NaN when nobody without the behavior reached the outcome. */
  public double lift() {
    return rateWithout() == 0 ? Double.NaN : rateWith() / rateWithout();
  }

  /** Whether both sides have at least {@code minSize} users. */
  public boolean sized(int minSize) {
    return withUsers >= minSize && withoutUsers >= minSize;
  }

  private static double rate(long k, long n) {
    return n == 0 ? Double.NaN : (double) k / n;
  }

  /** The Wilson score interval of k out of n. */
  static double[] wilson(long k, long n) {
    if (n == 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    double p = (double) k / n;
    double center = p + Z * Z / (2.0 * n);
    double spread = Z * Math.sqrt(p * (1 - p) / n + Z * Z / (4.0 * n * n));
    double scale = 1 + Z * Z / n;
    return new double[] {(center - spread) / scale, (center + spread) / scale};
  }
}
