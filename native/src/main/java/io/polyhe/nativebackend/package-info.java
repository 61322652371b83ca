/**
 * Java bindings of the native CPU and CUDA kernels through {@code java.lang.foreign}: he-core's
 * compute-backend SPI ({@link io.polyhe.nativebackend.NativeBackend}, {@link
 * io.polyhe.nativebackend.CudaBackend}) and its resident counterpart ({@link
 * io.polyhe.nativebackend.HostDevice}, {@link io.polyhe.nativebackend.CudaDevice}, opened by {@link
 * io.polyhe.nativebackend.ResidentDevices}). Every foreign call goes through {@link
 * io.polyhe.nativebackend.Downcall}.
 */
package io.polyhe.nativebackend;
