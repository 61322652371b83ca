package io.polyhe.models.config;

/**
 * The normalisation used before attention, before the FFN and before the LM head.
 *
 * @param kind LayerNorm (centre, then scale by {@code 1/sqrt(var + eps)}, weight and bias) or
 *     RMSNorm (scale by {@code 1/sqrt(mean(x^2) + eps)}, weight only)
 * @param eps positive constant added to the variance
 */
public record Norm(Kind kind, double eps) {

  /** Normalisation kinds, named as in {@code config.json}. */
  public enum Kind {
    LAYERNORM("layernorm"),
    RMSNORM("rmsnorm");

    private final String json;

    Kind(String json) {
      this.json = json;
    }

    /** The name used in {@code config.json}. */
    public String json() {
      return json;
    }

    /** @throws IllegalArgumentException for an unknown name */
    public static Kind parse(String s) {
      for (Kind k : values()) {
        if (k.json.equals(s)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown norm kind '" + s + "' (layernorm, rmsnorm)");
    }
  }

  /** @throws IllegalArgumentException if {@code eps} is not positive */
  public Norm {
    if (!(eps > 0 && Double.isFinite(eps))) {
      throw new IllegalArgumentException("norm eps must be positive, got " + eps);
    }
  }
}
