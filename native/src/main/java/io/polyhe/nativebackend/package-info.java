/** Java bindings of the native CPU/CUDA kernels through {@code java.lang.foreign} (arrives with the native issue). */
package io.polyhe.nativebackend;
