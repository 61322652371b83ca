package io.polyhe.nativebackend;

import io.polyhe.he.backend.BackendProvider;
import io.polyhe.he.backend.ComputeBackend;
import java.util.Optional;

/**
 * Offers the CUDA backend through {@link java.util.ServiceLoader} when {@code libpolyhe_cuda.so}
 * loads and a GPU is present; {@link #unavailableReason} says which is missing. It ranks below the
 * native CPU backend until ciphertexts stay resident on the GPU (every call copies its limbs now),
 * so {@code best} does not pick it; {@code --backend cuda} does.
 */
public final class CudaBackendProvider implements BackendProvider {
  /** Below the native CPU backend ({@link NativeBackendProvider#PRIORITY}) while it stages every call. */
  public static final int PRIORITY = 5;

  @Override
  public String name() {
    return CudaBackend.NAME;
  }

  @Override
  public int priority() {
    return PRIORITY;
  }

  @Override
  public Optional<ComputeBackend> create(int threads) {
    return CudaLibrary.available() ? Optional.of(new CudaBackend()) : Optional.empty();
  }

  @Override
  public String unavailableReason() {
    String reason = CudaLibrary.unavailableReason();
    return reason == null ? "available" : reason;
  }
}
