package io.polyhe.he.backend;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.logging.Logger;

/**
 * Finds and creates compute backends by name. The Java backend always exists; others come from
 * {@link BackendProvider}s on the class path. When a requested backend cannot run, {@link
 * #create} throws with the provider's reason; {@link #best} logs why it fell back to Java, once per
 * provider, and never hides it.
 */
public final class ComputeBackends {
  private static final Logger LOG = Logger.getLogger(ComputeBackends.class.getName());
  private static final java.util.Set<String> LOGGED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private ComputeBackends() {}

  /** Default thread count: the machine's available processors. */
  public static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** Names of all backends known on the class path (available or not), Java first. */
  public static List<String> names() {
    List<String> names = new ArrayList<>();
    names.add("java");
    for (BackendProvider p : providers()) {
      names.add(p.name());
    }
    return names;
  }

  private static List<BackendProvider> providers() {
    List<BackendProvider> list = new ArrayList<>();
    ServiceLoader.load(BackendProvider.class).forEach(list::add);
    list.sort(Comparator.comparingInt(BackendProvider::priority).reversed());
    return list;
  }

  /**
   * Creates the named backend.
   *
   * @throws IllegalArgumentException if the name is unknown or the backend cannot run here (the
   *     message carries the reason)
   */
  public static ComputeBackend create(String name, int threads) {
    if ("java".equals(name)) {
      return new JavaBackend(threads);
    }
    for (BackendProvider p : providers()) {
      if (p.name().equals(name)) {
        return p.create(threads)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "backend '" + name + "' is not available: " + p.unavailableReason()));
      }
    }
    throw new IllegalArgumentException("unknown backend '" + name + "'; known: " + names());
  }

  /** The highest-priority backend that runs here, else Java; logs every provider it skipped. */
  public static ComputeBackend best(int threads) {
    for (BackendProvider p : providers()) {
      Optional<ComputeBackend> b = p.create(threads);
      if (b.isPresent()) {
        return b.get();
      }
      if (LOGGED.add(p.name())) {
        LOG.warning(
            "backend '" + p.name() + "' unavailable (" + p.unavailableReason()
                + "); using the Java backend");
      }
    }
    return new JavaBackend(threads);
  }
}
