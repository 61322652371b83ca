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
   * What serving one call takes under this set, as {@link ComposedRotations} serves it:
   * decompositions (ModUp, the larger half of a key switch) and finishes (inner product with a
   * key, plus a ModDown unless {@code summed}). A hoisted batch (or single rotation) is the tree of
   * its steps' chains: one decomposition per node with children (the input included), one finish
   * per non-zero node. A summed call (the rotations of one term inside {@link
   * Arithmetic#sumOfRotations}) first computes, as a hoisted batch, the parents of its steps'
   * last edges (full finishes), then adds each step as one summed finish from its parent: one
   * decomposition per distinct parent (the input included). Returns {@code null} if a step is
   * unreachable.
   */
  public Work work(int[] steps, boolean summed) {
    java.util.TreeSet<Integer> wanted = new java.util.TreeSet<>();
    int rotated = 0; // a sum adds a step given twice twice
    for (int s : steps) {
      int k = Math.floorMod(s, slots);
      if (depth[k] < 0) {
        return null;
      }
      if (k != 0) {
        wanted.add(k);
        rotated++;
      }
    }
    if (wanted.isEmpty()) {
      return new Work(0, 0, 0);
    }
    if (!summed) {
      return tree(wanted);
    }
    java.util.TreeSet<Integer> parents = new java.util.TreeSet<>();
    for (int k : wanted) {
      parents.add(parent(k)); // 0 for a base step: the input itself
    }
    java.util.TreeSet<Integer> prefixes = new java.util.TreeSet<>(parents);
    prefixes.remove(0);
    Work pre = tree(prefixes);
    return new Work(pre.decompositions() + parents.size(), pre.finishes(), rotated);
  }

  /** Decompositions and full finishes of the hoisted tree over {@code wanted} (non-zero steps). */
  private Work tree(java.util.Set<Integer> wanted) {
    java.util.HashSet<Integer> nodes = new java.util.HashSet<>();
    for (int s : wanted) {
      for (int k = s; k != 0 && nodes.add(k); k = parent(k)) {
        // every non-zero prefix of the chain, once
      }
    }
    java.util.HashSet<Integer> inner = new java.util.HashSet<>(); // nodes with children, 0 included
    for (int k : nodes) {
      inner.add(parent(k));
    }
    return new Work(inner.size(), nodes.size(), 0);
  }

  /**
   * Key-switching work: {@code decompositions} ModUps, {@code finishes} inner products each with its
   * own ModDown, {@code summedFinishes} inner products whose ModDown a sum shares.
   */
  public record Work(long decompositions, long finishes, long summedFinishes) {
    public Work plus(Work o) {
      return new Work(decompositions + o.decompositions, finishes + o.finishes, summedFinishes + o.summedFinishes);
    }
  }

  /**
   * One rotation call of a recorded circuit: its steps (one for a single rotation), whether they are
   * the rotations of one term of a {@link Arithmetic#sumOfRotations}, and what each part of a key
   * switch costs at the call's level (e.g. in limb NTTs): a decomposition, a finish with its own
   * ModDown, and a summed finish (inner product only).
   */
  public record Call(int[] steps, boolean summed, double decomposition, double finish, double summedFinish) {
    /** A hoisted batch or single rotation whose decomposition and finish both weigh {@code weight}. */
    public Call(int[] steps, double weight) {
      this(steps, false, weight, weight, weight);
    }

    /** The weighted work of this call under {@code set}; infinite if a step is unreachable. */
    public double cost(RotationSet set) {
      Work w = set.work(steps, summed);
      return w == null ? Double.POSITIVE_INFINITY
          : w.decompositions() * decomposition + w.finishes() * finish + w.summedFinishes() * summedFinish;
    }
  }

  /**
   * The base of at most {@code maxSteps} steps, chosen among the steps {@code calls} use, that
   * serves them with little weighted work ({@link Call#cost}: decompositions and finishes, so a
   * hoisted batch's steps, which share one decomposition, stay direct before single rotations do):
   * greedy, it drops one step at a time, the one whose loss adds the least (lazily: a step's last
   * known cost is a lower bound, re-evaluated only when it heads the queue), and stops before the
   * work would exceed {@code 1 + maxExtra} times that of the steps used themselves. With {@code
   * maxSteps} at least the number of steps used, those steps (nothing composed). Deterministic.
   *
   * @throws IllegalArgumentException if {@code maxSteps < 1} or {@code maxExtra < 0}
   */
  public static RotationSet choose(int slots, List<Call> calls, int maxSteps, double maxExtra) {
    if (maxSteps < 1 || !(maxExtra >= 0)) {
      throw new IllegalArgumentException("need maxSteps >= 1 and maxExtra >= 0, got " + maxSteps + ", " + maxExtra);
    }
    // Merge identical calls (same steps, same kind, same weights); keep the order of first use so
    // the choice is deterministic.
    Map<List<Object>, double[]> merged = new LinkedHashMap<>();
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
        List<Object> id = List.of(key, c.summed(), c.decomposition(), c.finish(), c.summedFinish());
        merged.computeIfAbsent(id, x -> new double[1])[0] += 1;
      }
    }
    List<Call> distinct = new ArrayList<>();
    List<Double> counts = new ArrayList<>();
    for (var e : merged.entrySet()) {
      List<Object> id = e.getKey();
      @SuppressWarnings("unchecked")
      int[] steps = ((List<Integer>) id.get(0)).stream().mapToInt(Integer::intValue).toArray();
      distinct.add(new Call(steps, (Boolean) id.get(1), (Double) id.get(2), (Double) id.get(3), (Double) id.get(4)));
      counts.add(e.getValue()[0]);
    }
    double[] times = counts.stream().mapToDouble(Double::doubleValue).toArray();
    java.util.TreeSet<Integer> current = new java.util.TreeSet<>(used);
    if (current.size() <= maxSteps) {
      return new RotationSet(slots, toArray(current));
    }
    double limit = cost(new RotationSet(slots, toArray(current)), distinct, times) * (1 + maxExtra);
    // Lazy greedy: (cost after dropping step, step), smallest first; ties by step.
    java.util.PriorityQueue<double[]> queue = new java.util.PriorityQueue<>(
        (a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
    for (int step : current) {
      queue.add(new double[] {costWithout(slots, current, step, distinct, times), step});
    }
    while (current.size() > maxSteps && !queue.isEmpty()) {
      double[] head = queue.poll();
      int step = (int) head[1];
      double now = costWithout(slots, current, step, distinct, times);
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
    return improveBySwaps(slots, current, used, distinct, times);
  }

  /**
   * Local search after the greedy: swaps one base step for an unused one while that lowers the work
   * (best swap per round, ties by step order, at most {@link #SWAP_ROUNDS} rounds), since greedy
   * removal alone can strand a step whose value only shows with others gone.
   */
  private static RotationSet improveBySwaps(int slots, java.util.TreeSet<Integer> current,
      java.util.TreeSet<Integer> used, List<Call> calls, double[] times) {
    double now = cost(new RotationSet(slots, toArray(current)), calls, times);
    for (int round = 0; round < SWAP_ROUNDS; round++) {
      int bestOut = 0;
      int bestIn = 0;
      double best = now;
      for (int out : current) {
        for (int in : used) {
          if (current.contains(in)) {
            continue;
          }
          java.util.TreeSet<Integer> trial = new java.util.TreeSet<>(current);
          trial.remove(out);
          trial.add(in);
          double c = cost(new RotationSet(slots, toArray(trial)), calls, times);
          if (c < best - 1e-9) {
            best = c;
            bestOut = out;
            bestIn = in;
          }
        }
      }
      if (bestOut == 0) {
        break;
      }
      current.remove(bestOut);
      current.add(bestIn);
      now = best;
    }
    return new RotationSet(slots, toArray(current));
  }

  /** Rounds of swaps after the greedy choice (each tries every swap once). */
  private static final int SWAP_ROUNDS = 8;

  private static double costWithout(int slots, java.util.TreeSet<Integer> current, int step, List<Call> calls,
      double[] times) {
    int[] base = current.stream().mapToInt(Integer::intValue).filter(s -> s != step).toArray();
    return cost(new RotationSet(slots, base), calls, times);
  }

  private static int[] toArray(java.util.Set<Integer> set) {
    return set.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The weighted work of {@code calls} under {@code set}, call {@code c} made {@code times[c]} times. */
  public static double cost(RotationSet set, List<Call> calls, double[] times) {
    double total = 0;
    for (int c = 0; c < calls.size(); c++) {
      total += calls.get(c).cost(set) * times[c];
    }
    return total;
  }

  /** The weighted work of {@code calls} under {@code set}, each made once. */
  public static double cost(RotationSet set, List<Call> calls) {
    double[] once = new double[calls.size()];
    Arrays.fill(once, 1);
    return cost(set, calls, once);
  }

  /** The decompositions and finishes of {@code calls} under {@code set}; {@code null} if one is unreachable. */
  public static Work work(RotationSet set, List<Call> calls) {
    Work total = new Work(0, 0, 0);
    for (Call c : calls) {
      Work w = set.work(c.steps(), c.summed());
      if (w == null) {
        return null;
      }
      total = total.plus(w);
    }
    return total;
  }

  @Override
  public String toString() {
    return "RotationSet(" + base.length + " of " + slots + " slots: " + Arrays.toString(base) + ")";
  }
}
