package io.polyhe.client;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Where the server's time went in one forward pass, as the server reports it (seconds unless the
 * name says otherwise). Components and primitives are named by their labels ({@code
 * plain-matmul}, {@code norm}, {@code bootstrap}, ...; {@code key_switch}, {@code ntt}, ...), so
 * a server with a new component needs no new client. Immutable: the maps and lists are
 * unmodifiable and keep the server's order.
 *
 * @param totalSeconds the pass on the server, end to end
 * @param components seconds per component label, over all layers
 * @param layers seconds per component label, per layer ({@code "layer 0"}, {@code "head"}, ...)
 * @param primitives time and calls per HE primitive
 * @param refresh the refreshes of the pass and, for client-aided ones, where their time went
 * @param spans every span, for traces (start offsets from the start of the pass)
 */
public record LatencyBreakdown(double totalSeconds, Map<String, Double> components,
    Map<String, Map<String, Double>> layers, List<PrimitiveTime> primitives, RefreshTime refresh, List<Span> spans) {

  public LatencyBreakdown {
    components = Collections.unmodifiableMap(new LinkedHashMap<>(components));
    Map<String, Map<String, Double>> l = new LinkedHashMap<>();
    layers.forEach((k, v) -> l.put(k, Collections.unmodifiableMap(new LinkedHashMap<>(v))));
    layers = Collections.unmodifiableMap(l);
    primitives = List.copyOf(primitives);
    Objects.requireNonNull(refresh, "refresh");
    spans = List.copyOf(spans);
  }

  /** Seconds of component {@code label} over all layers; 0 if the pass had none. */
  public double componentSeconds(String label) {
    return components.getOrDefault(label, 0.0);
  }

  /** Time and calls of one HE primitive ({@code key_switch}, {@code ct_ct_mul}, {@code ntt}, ...). */
  public record PrimitiveTime(String primitive, double seconds, long calls) {}

  /**
   * The refreshes of a pass. Client-aided: the time the server waited for answers, split into the
   * client's own time (as the client reported it) and the rest (network, serialisation, queueing).
   * Bootstrapping: {@code refreshes} counts the bootstraps; waits, client time and bytes are 0 (their
   * time is the {@code bootstrap} component).
   */
  public record RefreshTime(int refreshes, double serverWaitSeconds, double clientSeconds, long bytesToClient,
      long bytesFromClient) {
    /** No refreshes. */
    public static final RefreshTime NONE = new RefreshTime(0, 0, 0, 0, 0);

    /** The sum of this and {@code o}, e.g. over the passes of a generation. */
    public RefreshTime plus(RefreshTime o) {
      return new RefreshTime(refreshes + o.refreshes, serverWaitSeconds + o.serverWaitSeconds,
          clientSeconds + o.clientSeconds, bytesToClient + o.bytesToClient, bytesFromClient + o.bytesFromClient);
    }
  }

  /** One timed piece of the pass: {@code nanos} from {@code startNanos} after the start, on {@code thread}. */
  public record Span(String layer, String component, long startNanos, long nanos, String thread) {}

  /** The breakdown of message {@code m}; repeated component names are summed. */
  static LatencyBreakdown of(io.polyhe.proto.v1.LatencyBreakdown m) {
    Map<String, Double> components = new LinkedHashMap<>();
    m.getComponentsList().forEach(c -> components.merge(c.getComponent(), c.getSeconds(), Double::sum));
    Map<String, Map<String, Double>> layers = new LinkedHashMap<>();
    for (var l : m.getLayersList()) {
      Map<String, Double> cs = layers.computeIfAbsent(l.getLayer(), k -> new LinkedHashMap<>());
      l.getComponentsList().forEach(c -> cs.merge(c.getComponent(), c.getSeconds(), Double::sum));
    }
    var r = m.getRefresh();
    return new LatencyBreakdown(m.getTotalSeconds(), components, layers,
        m.getPrimitivesList().stream().map(p -> new PrimitiveTime(p.getPrimitive(), p.getSeconds(), p.getCalls()))
            .toList(),
        new RefreshTime(r.getRefreshes(), r.getServerWaitSeconds(), r.getClientSeconds(), r.getBytesToClient(),
            r.getBytesFromClient()),
        m.getSpansList().stream().map(s -> new Span(s.getLayer(), s.getComponent(), s.getStartNanos(), s.getNanos(),
            s.getThread())).toList());
  }
}
