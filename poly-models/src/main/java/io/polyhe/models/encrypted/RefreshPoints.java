package io.polyhe.models.encrypted;

import io.polyhe.he.circuits.Arithmetic;
import io.polyhe.he.circuits.Refresher;
import io.polyhe.he.circuits.SimulatedCiphertext;
import io.polyhe.he.rlwe.Ciphertext;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a forward pass refreshes: before each segment of the circuit, the value it starts from is
 * refreshed if, and only if, it has fewer levels than the segment needs — as late as possible, one
 * ciphertext at a time (a refresh of the one value that runs out, never of a batch). The same rule
 * runs on simulated ciphertexts (the plan) and on real ones (the run), so both place refreshes at
 * the same points; each point is recorded with the level it was reached at.
 *
 * @param <C> the ciphertext type
 */
public abstract class RefreshPoints<C> {

  /**
   * One check of the rule.
   *
   * @param where the segment, e.g. "layer 0 / attention"
   * @param level the value's level when reached
   * @param needed levels the segment needs
   * @param refreshed whether the value was refreshed
   */
  public record Point(String where, int level, int needed, boolean refreshed) {}

  private final List<Point> points;

  protected RefreshPoints() {
    this(new ArrayList<>());
  }

  private RefreshPoints(List<Point> points) {
    this.points = points;
  }

  /**
   * {@code value} itself if it has at least {@code needed} levels, else a fresh copy at level
   * {@code refreshLevel} and {@code refreshScale}. Callers refresh to just the levels the segment
   * needs from a fresh value (fewer primes make it cheaper), or to the top where a scale is tied
   * to it.
   *
   * @throws IllegalArgumentException if the refresh level is beyond the parameters' top level
   */
  public final C ensure(Arithmetic<C> ar, C value, int needed, int refreshLevel, double refreshScale,
      String where) {
    int maxLevel = ar.parameters().maxLevel();
    if (refreshLevel > maxLevel) {
      throw new IllegalArgumentException(where + " needs " + refreshLevel + " levels; the parameters have only "
          + maxLevel + ": choose parameters with more levels");
    }
    int level = ar.level(value);
    boolean refresh = level < needed;
    points.add(new Point(where, level, needed, refresh));
    if (!refresh) {
      return value;
    }
    return fresh(ar.relinearize(value), refreshLevel, refreshScale);
  }

  /** A fresh copy of the 2-part {@code value} at {@code level} and {@code scale}. */
  protected abstract C fresh(C value, int level, double scale);

  /** Every check so far, in order. */
  public final List<Point> points() {
    return List.copyOf(points);
  }

  /** How many refreshes were made. */
  public final int refreshes() {
    return (int) points.stream().filter(Point::refreshed).count();
  }

  /**
   * The same rule and the same record on another ciphertext type {@code D}: a value to refresh
   * leaves through {@code out}, is refreshed here, and comes back through {@code in}. This is how a
   * pass on a resident device refreshes: {@code out} downloads (an edge), {@code in} uploads the
   * fresh ciphertext (an edge). Checks made through the view appear in this object's {@link
   * #points()} and {@link #refreshes()}.
   */
  public final <D> RefreshPoints<D> through(java.util.function.Function<? super D, ? extends C> out,
      java.util.function.Function<? super C, ? extends D> in) {
    RefreshPoints<C> outer = this;
    return new RefreshPoints<D>(points) {
      @Override
      protected D fresh(D value, int level, double scale) {
        return in.apply(outer.fresh(out.apply(value), level, scale));
      }
    };
  }

  /** The rule on real ciphertexts, refreshing with {@code refresher}. */
  public static RefreshPoints<Ciphertext> using(Refresher refresher) {
    return new RefreshPoints<>() {
      @Override
      protected Ciphertext fresh(Ciphertext value, int level, double scale) {
        return refresher.refresh(value, level, scale);
      }
    };
  }

  /** The rule on simulated ciphertexts: a refresh yields the requested level and scale. */
  public static RefreshPoints<SimulatedCiphertext> simulated() {
    return new RefreshPoints<>() {
      @Override
      protected SimulatedCiphertext fresh(SimulatedCiphertext value, int level, double scale) {
        return SimulatedCiphertext.of(level, scale);
      }
    };
  }
}
