package io.segments.generate;

/**
 * Behavior personas planted in the synthetic data. Each has its own activity pattern and therefore its own
 * later retention, so a segmentation has something true to find.
 */
public enum Persona {
  /** Creates projects and docs alone, never invites; fades over weeks. */
  SOLO_EXPLORER(0.20),
  /**
   * Creates a project and invites a teammate within days of signup; retains well, buys now and then, and half of
   * them stop commenting after a few weeks (the team went quiet) while still editing docs.
   */
  COLLABORATIVE_STARTER(0.25),
  /** Invites many, comments a lot, builds reports, buys seats every week or two; retains best (and fades slowly). */
  HEAVY_COLLABORATOR(0.10),
  /** Active on Saturdays and Sundays only. */
  WEEKEND_ONLY(0.10),
  /** A burst of activity in the first two days, then gone. */
  FAST_CHURNER(0.20),
  /** Signs up and does (almost) nothing. */
  DORMANT_SIGNUP(0.15);

  final double share;

  Persona(double share) {
    this.share = share;
  }

  static Persona pick(double uniform) {
    double cumulative = 0;
    for (Persona persona : values()) {
      cumulative += persona.share;
      if (uniform < cumulative) {
        return persona;
      }
    }
    return DORMANT_SIGNUP;
  }

  public String label() {
    return name().toLowerCase();
  }
}
