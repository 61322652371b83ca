package io.polyhe.he.backend;

import java.util.Optional;

/**
 * Discovers an optional backend (native CPU, CUDA) through {@link java.util.ServiceLoader}. A
 * provider whose library or device is absent returns an empty result and a reason.
 */
public interface BackendProvider {

  /** Backend name this provider offers, e.g. {@code native}. */
  String name();

  /** Higher wins when the best backend is chosen automatically; Java is 0. */
  int priority();

  /**
   * Creates the backend with the given thread count, or empty when it cannot run here; {@link
   * #unavailableReason()} then says why.
   */
  Optional<ComputeBackend> create(int threads);

  /** Why {@link #create} returned empty (library not found, no GPU, ...), for logs and errors. */
  String unavailableReason();
}
