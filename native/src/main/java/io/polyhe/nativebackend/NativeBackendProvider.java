package io.polyhe.nativebackend;

import io.polyhe.he.backend.BackendProvider;
import io.polyhe.he.backend.ComputeBackend;
import java.util.Optional;

/**
 * Offers the native CPU backend to {@link io.polyhe.he.backend.ComputeBackends} through {@link
 * java.util.ServiceLoader}. It outranks the Java backend when the library loads; otherwise
 * {@link #create} is empty and {@link #unavailableReason} says why (no crash, the Java backend
 * runs).
 */
public final class NativeBackendProvider implements BackendProvider {
  /** Priority over the Java backend (0); a GPU backend would rank higher. */
  public static final int PRIORITY = 10;

  @Override
  public String name() {
    return NativeBackend.NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Optional<ComputeBackend> create(int threads) {
    return NativeLibrary.available() ? Optional.of(new NativeBackend(threads)) : Optional.empty();
  }

  @Override
  public String unavailableReason() {
    String reason = NativeLibrary.unavailableReason();
    return reason == null ? "available" : reason;
  }
}
