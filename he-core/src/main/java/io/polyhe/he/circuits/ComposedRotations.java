package io.polyhe.he.circuits;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An {@link Arithmetic} that rotates only by the base steps of a {@link RotationSet}: any other
 * rotation is the chain of base rotations the set composes it from. A hoisted batch becomes a tree
 * of hoisted batches: one over the first steps of the chains, then, for every intermediate result
 * that chains continue from, one over their next steps, so common prefixes are computed once. The
 * result equals the direct rotation up to one key switch's noise per extra step. Conjugation passes
 * through. Thread-safe as the delegate is.
 *
 * @param <C> the ciphertext type
 */
public final class ComposedRotations<C> extends ForwardingArithmetic<C> {
  private final RotationSet set;

  /**
   * @throws IllegalArgumentException if {@code set}'s slot count is not the parameters'
   */
  public ComposedRotations(Arithmetic<C> delegate, RotationSet set) {
    super(delegate);
    if (set.slots() != delegate.parameters().slots()) {
      throw new IllegalArgumentException("rotation set of " + set.slots() + " slots for parameters of "
          + delegate.parameters().slots());
    }
    this.set = set;
  }

  /** The set rotations are composed from. */
  public RotationSet rotationSet() {
    return set;
  }

  // Rotations by a base step or 0 go through as they are; others follow their chain.
  @Override
  public C rotate(C a, int steps) {
    if (set.isBase(steps)) {
      return super.rotate(a, steps);
    }
    C x = a;
    for (int s : set.chain(steps)) {
      x = super.rotate(x, s);
    }
    return x;
  }

  @Override
  public C[] rotateHoisted(C a, int[] steps) {
    boolean allBase = true;
    for (int s : steps) {
      allBase &= set.isBase(s);
    }
    if (allBase) {
      return super.rotateHoisted(a, steps);
    }
    int slots = set.slots();
    // Every node of the chains' tree, by the step it stands for, with the base steps leaving it.
    Map<Integer, List<Integer>> children = new LinkedHashMap<>();
    for (int s : steps) {
      int k = Math.floorMod(s, slots);
      set.chain(k); // throws if unreachable
      while (k != 0) {
        int parent = set.parent(k);
        List<Integer> list = children.computeIfAbsent(parent, p -> new ArrayList<>());
        int edge = Math.floorMod(k - parent, slots);
        if (list.contains(edge)) {
          break; // the rest of this chain is in the tree already
        }
        list.add(edge);
        k = parent;
      }
    }
    Map<Integer, C> done = new HashMap<>();
    done.put(0, a);
    // Breadth-first: a node's batch runs once the node itself is computed.
    List<Integer> frontier = List.of(0);
    while (!frontier.isEmpty()) {
      List<Integer> next = new ArrayList<>();
      for (int node : frontier) {
        List<Integer> edges = children.get(node);
        if (edges == null) {
          continue;
        }
        int[] batch = edges.stream().mapToInt(Integer::intValue).toArray();
        C[] rotated = batch.length == 1
            ? null : super.rotateHoisted(done.get(node), batch);
        for (int e = 0; e < batch.length; e++) {
          int child = (node + batch[e]) % slots;
          done.put(child, rotated == null ? super.rotate(done.get(node), batch[e]) : rotated[e]);
          next.add(child);
        }
      }
      frontier = next;
    }
    @SuppressWarnings("unchecked")
    C[] out = (C[]) java.lang.reflect.Array.newInstance(a.getClass(), steps.length);
    for (int i = 0; i < steps.length; i++) {
      out[i] = done.get(Math.floorMod(steps[i], slots));
    }
    return out;
  }
  /**
   * Each term's rotations whose step is not a base step start from the parent of its chain's last
   * step (computed for all of a term's steps as one composed hoisted batch); the sum then adds every
   * term by one base step, so the whole sum keeps its single ModDown and a term given several times
   * (or a parent shared by several steps) is decomposed once.
   */
  @Override
  public C sumOfRotations(C[] terms, int[] steps) {
    if (terms.length != steps.length) {
      throw new IllegalArgumentException(terms.length + " terms for " + steps.length + " steps");
    }
    boolean allBase = true;
    for (int s : steps) {
      allBase &= set.isBase(s);
    }
    if (allBase) {
      return super.sumOfRotations(terms, steps);
    }
    int slots = set.slots();
    // Per distinct term (by identity): the parents its non-base steps need, in order of first use.
    java.util.IdentityHashMap<C, java.util.LinkedHashSet<Integer>> parents = new java.util.IdentityHashMap<>();
    for (int i = 0; i < terms.length; i++) {
      set.chain(steps[i]); // throws if unreachable
      if (!set.isBase(steps[i])) {
        parents.computeIfAbsent(terms[i], t -> new java.util.LinkedHashSet<>()).add(set.parent(steps[i]));
      }
    }
    java.util.IdentityHashMap<C, Map<Integer, C>> rotated = new java.util.IdentityHashMap<>();
    parents.forEach((term, ps) -> {
      int[] p = ps.stream().mapToInt(Integer::intValue).toArray();
      C[] r = rotateHoisted(term, p);
      Map<Integer, C> byStep = new HashMap<>();
      for (int j = 0; j < p.length; j++) {
        byStep.put(p[j], r[j]);
      }
      rotated.put(term, byStep);
    });
    @SuppressWarnings("unchecked")
    C[] t = (C[]) java.lang.reflect.Array.newInstance(terms.getClass().getComponentType(), terms.length);
    int[] last = new int[steps.length];
    for (int i = 0; i < terms.length; i++) {
      if (set.isBase(steps[i])) {
        t[i] = terms[i];
        last[i] = steps[i];
      } else {
        int k = Math.floorMod(steps[i], slots);
        int parent = set.parent(k);
        t[i] = rotated.get(terms[i]).get(parent);
        last[i] = Math.floorMod(k - parent, slots);
      }
    }
    return super.sumOfRotations(t, last);
  }
}
