package io.polyhe.nativebackend;

import io.polyhe.he.backend.ResidentDevice;
import java.util.List;

/**
 * Opens a {@link ResidentDevice} by name: {@code native} (host memory, the CPU kernels; wherever
 * the native library loads) or {@code cuda} (GPU memory; where the CUDA library loads and a device
 * answers). The caller owns the device and closes it.
 */
public final class ResidentDevices {
  private ResidentDevices() {}

  /** The names {@link #open} knows. */
  public static List<String> names() {
    return List.of(HostDevice.NAME, CudaDevice.NAME);
  }

  /**
   * A device for limbs of {@code n} residues.
   *
   * @throws IllegalArgumentException if the name is unknown or the device cannot run here (the
   *     message says why)
   */
  public static ResidentDevice open(String name, int n, int threads) {
    switch (name) {
      case HostDevice.NAME -> {
        if (!NativeLibrary.available()) {
          throw new IllegalArgumentException("resident device 'native' is not available: "
              + NativeLibrary.unavailableReason());
        }
        return new HostDevice(n, threads);
      }
      case CudaDevice.NAME -> {
        if (!CudaLibrary.available()) {
          throw new IllegalArgumentException("resident device 'cuda' is not available: "
              + CudaLibrary.unavailableReason());
        }
        return new CudaDevice(n);
      }
      default -> throw new IllegalArgumentException("unknown resident device '" + name + "'; known: " + names());
    }
  }
}
