package io.polyhe.nativebackend;

/** Placeholder while the CUDA resident ABI is written. */
final class CudaDevice {
  static final String NAME = "cuda";

  CudaDevice(int n) {
    throw new IllegalStateException("not yet");
  }
}
