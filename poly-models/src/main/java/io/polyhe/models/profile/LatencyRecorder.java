package io.polyhe.models.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * Records timed spans of one forward pass. Open a span with {@link #span(String, Component)} in a
 * try-with-resources block; closing it records its start and duration. Every recorded span counts
 * in the totals, so record leaf work only (components, not the layers around them); a span opened
 * or {@linkplain #recordNested nested-recorded} while another span is open on the same thread is
 * taken out of that outer span's time (so a refresh span does not count the bootstrap sub-steps
 * inside it twice). Thread-safe (spans from several threads are kept in completion order).
 */
public final class LatencyRecorder {
  private final long origin = System.nanoTime();
  private final List<LatencyBreakdown.Span> spans = new ArrayList<>();
  private final long[] primitiveNanos = new long[Primitive.values().length];
  private final long[] primitiveCounts = new long[Primitive.values().length];

  /** An open span; close it to record it. */
  public final class OpenSpan implements AutoCloseable {
    private final String layer;
    private final Component component;
    private final long start = System.nanoTime();
    private long childNanos;
    private boolean closed;

    private LatencyRecorder recorder() {
      return LatencyRecorder.this;
    }

    private OpenSpan(String layer, Component component) {
      this.layer = layer;
      this.component = component;
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        long nanos = System.nanoTime() - start;
        java.util.Deque<OpenSpan> stack = OPEN.get();
        stack.remove(this);
        OpenSpan parent = stack.peek();
        if (parent != null && parent.recorder() == recorder()) {
          parent.childNanos += nanos;
        }
        record(layer, component, start - origin, Math.max(0, nanos - childNanos));
      }
    }
  }

  /** Spans open on each thread, innermost first. */
  private static final ThreadLocal<java.util.Deque<OpenSpan>> OPEN =
      ThreadLocal.withInitial(java.util.ArrayDeque::new);

  /** Starts a span of {@code component} within {@code layer} (e.g. "layer 0", "head"). */
  public OpenSpan span(String layer, Component component) {
    OpenSpan s = new OpenSpan(layer, component);
    OPEN.get().push(s);
    return s;
  }

  /**
   * The component of the innermost span of this recorder open on this thread, or null if none is:
   * lets a counter attribute each operation to the component it serves (a dry run has no time).
   */
  public Component openComponent() {
    OpenSpan s = OPEN.get().peek();
    return s != null && s.recorder() == this ? s.component : null;
  }

  /**
   * Records a span of {@code nanos} that ended just now on this thread, inside the innermost open
   * span (whose own time it is taken out of), e.g. a bootstrap sub-step reported by a listener.
   */
  public void recordNested(String layer, Component component, long nanos) {
    OpenSpan parent = OPEN.get().peek();
    if (parent != null && parent.recorder() == this) {
      parent.childNanos += nanos;
    }
    record(layer, component, System.nanoTime() - nanos - origin, nanos);
  }

  /** Records a span measured elsewhere (e.g. the client's part of a refresh). */
  public synchronized void record(String layer, Component component, long startNanos, long nanos) {
    if (nanos < 0) {
      throw new IllegalArgumentException("negative duration " + nanos);
    }
    spans.add(new LatencyBreakdown.Span(layer, component, startNanos, nanos, Thread.currentThread().getName()));
  }

  /** Adds {@code count} calls of {@code primitive} taking {@code nanos} in total. */
  public synchronized void addPrimitive(Primitive primitive, long count, long nanos) {
    if (nanos < 0 || count < 0) {
      throw new IllegalArgumentException("negative primitive time or count");
    }
    primitiveNanos[primitive.ordinal()] += nanos;
    primitiveCounts[primitive.ordinal()] += count;
  }

  /** An immutable summary of everything recorded so far. */
  public synchronized LatencyBreakdown breakdown() {
    return new LatencyBreakdown(List.copyOf(spans), primitiveNanos.clone(), primitiveCounts.clone());
  }
}
