package io.polyhe.nativebackend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Loads {@code libpolyhe_cuda.so} ({@code native/cuda/include/polyhe_cuda.h}) once and binds its
 * C ABI. Available only when the library loads and the driver reports a CUDA device; otherwise
 * {@link #unavailableReason()} says which of the two is missing (nothing is thrown from class
 * initialisation). Where the library comes from: {@code -Dpolyhe.cuda.lib}, else the jar resource
 * next to the CPU library. Calls are ordinary (not critical) downcalls on off-heap memory: a GPU
 * call takes long enough that the thread must not block the garbage collector.
 */
@SuppressWarnings("restricted") // loading and binding the library is this class's job
final class CudaLibrary {
  static final String FILE_NAME = "libpolyhe_cuda.so";
  private static final int ABI_VERSION = 1;

  private static final String FAILURE;
  static final MethodHandle LAST_ERROR;
  static final MethodHandle REGISTER_NTT;
  static final MethodHandle NTT;
  static final MethodHandle BINARY;
  static final MethodHandle NEGATE;
  static final MethodHandle SCALAR;
  static final MethodHandle PERMUTE;
  static final MethodHandle AUTOMORPHISM;
  static final MethodHandle SUBTRACT_AND_SCALE;
  static final MethodHandle CONVERT_BASIS;

  static {
    String failure = null;
    MethodHandle[] h = new MethodHandle[10];
    try {
      Path path = NativeLibrary.locate("polyhe.cuda.lib", FILE_NAME, "it was built without nvcc");
      SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
      Linker linker = Linker.nativeLinker();
      java.util.function.BiFunction<String, FunctionDescriptor, MethodHandle> bind = (name, fd) ->
          linker.downcallHandle(lookup.find(name)
              .orElseThrow(() -> new IllegalStateException("symbol " + name + " missing in " + path)), fd);
      int abi = (int) bind.apply("polyhe_cuda_abi_version", FunctionDescriptor.of(JAVA_INT)).invokeExact();
      if (abi != ABI_VERSION) {
        throw new IllegalStateException("ABI version " + abi + " of " + path + ", expected " + ABI_VERSION);
      }
      int devices = (int) bind.apply("polyhe_cuda_device_count", FunctionDescriptor.of(JAVA_INT)).invokeExact();
      if (devices < 1) {
        throw new IllegalStateException("no CUDA device (the library loaded, but the driver reports no GPU)");
      }
      int init = (int) bind.apply("polyhe_cuda_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT)).invokeExact(0);
      h[0] = bind.apply("polyhe_cuda_last_error", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
      if (init != 0) {
        throw new IllegalStateException("CUDA initialisation failed: " + lastError(h[0]));
      }
      h[1] = bind.apply("polyhe_cuda_register_ntt", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS,
          ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
      h[2] = bind.apply("polyhe_cuda_ntt",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
      h[3] = bind.apply("polyhe_cuda_binary",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
      h[4] = bind.apply("polyhe_cuda_negate",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
      h[5] = bind.apply("polyhe_cuda_scalar",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
      h[6] = bind.apply("polyhe_cuda_permute",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
      h[7] = bind.apply("polyhe_cuda_automorphism",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
      h[8] = bind.apply("polyhe_cuda_subtract_and_scale",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
      h[9] = bind.apply("polyhe_cuda_convert_basis", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
          JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
    } catch (Throwable t) {
      failure = NativeLibrary.describeFailure(t);
      java.util.Arrays.fill(h, null);
    }
    FAILURE = failure;
    LAST_ERROR = h[0];
    REGISTER_NTT = h[1];
    NTT = h[2];
    BINARY = h[3];
    NEGATE = h[4];
    SCALAR = h[5];
    PERMUTE = h[6];
    AUTOMORPHISM = h[7];
    SUBTRACT_AND_SCALE = h[8];
    CONVERT_BASIS = h[9];
  }

  private CudaLibrary() {}

  /** True when the library loaded and a device is present. */
  static boolean available() {
    return FAILURE == null;
  }

  /** Why the CUDA backend cannot run, or null. */
  static String unavailableReason() {
    return FAILURE;
  }

  /** Throws with the library's last error unless {@code rc} is 0. */
  static void check(int rc, String what) {
    if (rc != 0) {
      throw new IllegalStateException("CUDA " + what + " failed (" + rc + "): " + lastError(LAST_ERROR));
    }
  }

  private static String lastError(MethodHandle handle) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(512);
      handle.invokeExact(buf, 512);
      return buf.getString(0);
    } catch (Throwable t) {
      return "(no message: " + t + ")";
    }
  }
}
