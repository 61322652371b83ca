package io.polyhe.he.circuits;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rotations a circuit has keys for, and how every other rotation is composed from them: each
 * step {@code k} (mod slots) is reached by a shortest chain of base rotations (breadth-first search
 * from 0, base steps tried in ascending order, so the chain of every step is fixed by the base
 * alone and client and server agree on it). Chains form one tree, so the rotations of one hoisted
 * batch share their common prefixes ({@link ComposedRotations}).
 *
 * <p>Fewer base steps mean fewer Galois keys (each key of {@code tiny} is 4.5 MB) for more key
 * switches per pass; {@link #choose} makes that trade on a circuit's recorded rotations. Immutable
 * and thread-safe.
 */
public final class RotationSet {
  private final int slots;
  private final int[] base;
  /** Per step: the last base step of its chain (0 for step 0, -1 if unreachable). */
  private final int[] lastStep;
  /** Per step: the length of its chain (-1 if unreachable). */
  private final int[] depth;

  /**
   * @param slots the slot count (rotations are taken mod slots)
   * @param base the steps that have keys, each in {@code (0, slots)}
   * @throws IllegalArgumentException if a base step is outside {@code (0, slots)} or repeated
   */
  public RotationSet(int slots, int[] base) {
    if (slots < 2) {
      throw new IllegalArgumentException("slots must be at least 2, got " + slots);
    }
    int[] b = base.clone();
    Arrays.sort(b);
    for (int i = 0; i < b.length; i++) {
      if (b[i] <= 0 || b[i] >= slots || (i > 0 && b[i] == b[i - 1])) {
        throw new IllegalArgumentException("base steps must be distinct and in (0, " + slots + "): "
            + Arrays.toString(base));
      }
    }
    this.slots = slots;
    this.base = b;
    this.lastStep = new int[slots];
    this.depth = new int[slots];
    Arrays.fill(lastStep, -1);
    Arrays.fill(depth, -1);
    depth[0] = 0;
    lastStep[0] = 0;
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    queue.add(0);
    while (!queue.isEmpty()) {
      int k = queue.poll();
      for (int s : b) {
        int next = (k + s) % slots;
        if (depth[next] < 0) {
          depth[next] = depth[k] + 1;
          lastStep[next] = s;
          queue.add(next);
        }
      }
    }
  }

  /** The slot count. */
  public int slots() {
    return slots;
  }

  /** The base steps, ascending (a copy). */
  public int[] base() {
    return base.clone();
  }

  /** Whether {@code step} (mod slots) is a base step or 0: one key switch or none. */
  public boolean isBase(int step) {
    int k = Math.floorMod(step, slots);
    return k == 0 || Arrays.binarySearch(base, k) >= 0;
  }

  /** Key switches a rotation by {@code step} takes, or -1 if the base cannot reach it. */
  public int cost(int step) {
    return depth[Math.floorMod(step, slots)];
  }

  /**
   * The chain of base steps that composes {@code step} (mod slots), in the order applied; empty for
   * 0.
   *
   * @throws IllegalArgumentException if the base cannot reach {@code step}
   */
  public int[] chain(int step) {
    int k = Math.floorMod(step, slots);
    if (depth[k] < 0) {
      throw new IllegalArgumentException("rotation by " + step + " cannot be composed from " + Arrays.toString(base));
    }
    int[] out = new int[depth[k]];
    for (int i = out.length - 1; i >= 0; i--) {
      out[i] = lastStep[k];
      k = Math.floorMod(k - lastStep[k], slots);
    }
    return out;
  }

  /** The step reached before the last base step of {@code step}'s chain (0 for one-step chains). */
  int parent(int step) {
    int k = Math.floorMod(step, slots);
    return Math.floorMod(k - lastStep[k], slots);
  }

  /**
   * Key switches to serve one call: the distinct non-zero prefixes of the requested steps' chains
   * (a hoisted batch shares them), or -1 if a step is unreachable.
   */
  public int keySwitches(int[] steps) {
    java.util.HashSet<Integer> nodes = new java.util.HashSet<>();
    for (int s : steps) {
      int k = Math.floorMod(s, slots);
      if (depth[k] < 0) {
        return -1;
      }
      while (k != 0 && nodes.add(k)) {
        k = parent(k);
      }
    }
    return nodes.size();
  }

  /**
   * One rotation call of a recorded circuit: its steps (one for a single rotation), and its weight
   * (what one key switch costs at its level, e.g. its limb count).
   */
  public record Call(int[] steps, double weight) {}

  /**
   * The base of at most {@code maxSteps} steps, chosen among the steps {@code calls} use, that
   * serves them with few weighted key switches: greedy, it drops one step at a time, the one whose
   * loss adds the least (lazily: a step's last known cost is a lower bound, re-evaluated only when
   * it heads the queue), and stops before the weighted key switches of the calls would exceed
   * {@code 1 + maxExtra} times those of the steps used themselves. With {@code maxSteps} at least
   * the number of steps used, those steps (nothing composed). Deterministic.
   *
   * @throws IllegalArgumentException if {@code maxSteps < 1} or {@code maxExtra < 0}
   */
  public static RotationSet choose(int slots, List<Call> calls, int maxSteps, double maxExtra) {
    if (maxSteps < 1 || !(maxExtra >= 0)) {
      throw new IllegalArgumentException("need maxSteps >= 1 and maxExtra >= 0, got " + maxSteps + ", " + maxExtra);
    }
    // Merge identical calls; keep the order of first use so the choice is deterministic.
    Map<List<Integer>, Double> merged = new LinkedHashMap<>();
    java.util.TreeSet<Integer> used = new java.util.TreeSet<>();
    for (Call c : calls) {
      List<Integer> key = new ArrayList<>();
      for (int s : c.steps()) {
        int k = Math.floorMod(s, slots);
        if (k != 0) {
          key.add(k);
          used.add(k);
        }
      }
      if (!key.isEmpty()) {
        merged.merge(key, c.weight(), Double::sum);
      }
    }
    List<int[]> steps = new ArrayList<>();
    double[] weights = new double[merged.size()];
    int i = 0;
    for (var e : merged.entrySet()) {
      steps.add(e.getKey().stream().mapToInt(Integer::intValue).toArray());
      weights[i++] = e.getValue();
    }
    java.util.TreeSet<Integer> current = new java.util.TreeSet<>(used);
    if (current.size() <= maxSteps) {
      return new RotationSet(slots, toArray(current));
    }
    double limit = cost(new RotationSet(slots, toArray(current)), steps, weights) * (1 + maxExtra);
    // Lazy greedy: (cost after dropping step, step), smallest first; ties by step.
    java.util.PriorityQueue<double[]> queue = new java.util.PriorityQueue<>(
        (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    for (int step : current) {
      queue.add(new double[] {costWithout(slots, current, step, steps, weights), step});
    }
    while (current.size() > maxSteps && !queue.isEmpty()) {
      double[] head = queue.poll();
      int step = (int) head[1];
      double now = costWithout(slots, current, step, steps, weights);
      double[] next = queue.peek();
      if (next != null && now > next[0] + 1e-9) {
        queue.add(new double[] {now, step}); // stale: try again in order
        continue;
      }
      if (now > limit) {
        break; // every other drop costs at least as much
      }
      current.remove(step);
    }
    return new RotationSet(slots, toArray(current));
  }

  private static double costWithout(int slots, java.util.TreeSet<Integer> current, int step, List<int[]> steps,
      double[] weights) {
    int[] base = current.stream().mapToInt(Integer::intValue).filter(s -> s != step).toArray();
    return cost(new RotationSet(slots, base), steps, weights);
  }

  private static int[] toArray(java.util.Set<Integer> set) {
    return set.stream().mapToInt(Integer::intValue).toArray();
  }

  /** Weighted key switches of {@code calls} under {@code set}; infinite if one is unreachable. */
  public static double cost(RotationSet set, List<int[]> steps, double[] weights) {
    double total = 0;
    for (int c = 0; c < steps.size(); c++) {
      int ks = set.keySwitches(steps.get(c));
      if (ks < 0) {
        return Double.POSITIVE_INFINITY;
      }
      total += ks * weights[c];
    }
    return total;
  }

  @Override
  public String toString() {
    return "RotationSet(" + base.length + " of " + slots + " slots: " + Arrays.toString(base) + ")";
  }
}
