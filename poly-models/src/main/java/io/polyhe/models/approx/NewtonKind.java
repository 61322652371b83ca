package io.polyhe.models.approx;

/**
 * The two functions computed by an initial guess plus Newton iterations, with their update
 * rules and the interval on which each iteration converges.
 */
public enum NewtonKind {
  /** {@code 1/x}: {@code y <- y (2 - x y)}; converges while {@code 0 < x y0 < 2}. */
  INVERSE {
    @Override
    public double step(double y, double x) {
      return y * (2.0 - x * y);
    }

    @Override
    public double exact(double x) {
      return 1.0 / x;
    }

    @Override
    double invariant(double y, double x) {
      return x * y;
    }
  },
  /** {@code 1/sqrt(x)}: {@code y <- y (3 - x y^2) / 2}; converges while {@code 0 < x y0^2 < 3}. */
  INVERSE_SQRT {
    @Override
    public double step(double y, double x) {
      return y * (3.0 - x * y * y) * 0.5;
    }

    @Override
    public double exact(double x) {
      return 1.0 / Math.sqrt(x);
    }

    @Override
    double invariant(double y, double x) {
      return x * y * y;
    }
  };

  /** One Newton iteration from estimate {@code y} of f({@code x}). */
  public abstract double step(double y, double x);

  /** The exact function value. */
  public abstract double exact(double x);

  /** The quantity Newton drives to 1 ({@code x y} or {@code x y^2}). */
  abstract double invariant(double y, double x);
}
