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
import java.util.logging.Logger;

/**
 * Loads {@code libpolyhe_cuda.so} ({@code native/cuda/include/polyhe_cuda.h}) once and binds its
 * C ABI. Available only when the library loads and the driver reports a CUDA device; otherwise
 * {@link #unavailableReason()} says which of the two is missing (nothing is thrown from class
 * initialisation). Where the library comes from: {@code -Dpolyhe.cuda.lib}, else the jar resource
 * next to the CPU library. Calls are ordinary (not critical) downcalls on off-heap memory: a GPU
 * call may wait on the stream, and the thread must not block the garbage collector meanwhile.
 *
 * <p>{@code -Dpolyhe.cuda.lib} may also name {@code libpolyhe_cuda_host.so}, the host build of the
 * same sources (kernels as loops over host memory): the differential tests run the CUDA bindings
 * and kernel arithmetic through it on machines without a GPU. {@link #hostBuild()} is then true,
 * the device name says so, and a warning is logged; the jar never carries that library.
 */
@SuppressWarnings("restricted") // loading and binding the library is this class's job
final class CudaLibrary {
  static final String FILE_NAME = "libpolyhe_cuda.so";
  private static final int ABI_VERSION = 2;
  /** Most limbs per call and digits per inner product (POLYHE_CUDA_MAX_LIMBS / _TERMS). */
  static final int MAX_LIMBS = 64;
  static final int MAX_TERMS = 16;

  private static final String FAILURE;
  private static final boolean HOST_BUILD;
  private static final String DEVICE;
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
  static final MethodHandle ALLOC;
  static final MethodHandle FREE;
  static final MethodHandle ZERO;
  static final MethodHandle UPLOAD;
  static final MethodHandle COPY;
  static final MethodHandle DOWNLOAD;
  static final MethodHandle SYNCHRONIZE;
  static final MethodHandle R_NTT;
  static final MethodHandle R_BINARY;
  static final MethodHandle R_NEGATE;
  static final MethodHandle R_SCALAR;
  static final MethodHandle R_AUTOMORPHISM_NTT;
  static final MethodHandle R_SUBTRACT_AND_SCALE;
  static final MethodHandle R_CONVERT_BASIS;
  static final MethodHandle R_KEYSWITCH_INNER;

  static {
    String failure = null;
    boolean hostBuild = false;
    String device = null;
    MethodHandle[] h = new MethodHandle[25];
    try {
      Path path = NativeLibrary.locate("polyhe.cuda.lib", FILE_NAME, "it was built without nvcc");
      SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
      Linker linker = Linker.nativeLinker();
      java.util.function.BiFunction<String, FunctionDescriptor, MethodHandle> bind = (name, fd) ->
          linker.downcallHandle(lookup.find(name)
              .orElseThrow(() -> new IllegalStateException("symbol " + name + " missing in " + path)), fd);
      FunctionDescriptor noArgs = FunctionDescriptor.of(JAVA_INT);
      MethodHandle version = bind.apply("polyhe_cuda_abi_version", noArgs);
      int abi = Downcall.invoke("polyhe_cuda_abi_version", () -> (int) version.invokeExact());
      if (abi != ABI_VERSION) {
        throw new IllegalStateException("ABI version " + abi + " of " + path + ", expected " + ABI_VERSION);
      }
      MethodHandle hostHandle = bind.apply("polyhe_cuda_host_build", noArgs);
      hostBuild = Downcall.invoke("polyhe_cuda_host_build", () -> (int) hostHandle.invokeExact()) != 0;
      MethodHandle countHandle = bind.apply("polyhe_cuda_device_count", noArgs);
      int devices = Downcall.invoke("polyhe_cuda_device_count", () -> (int) countHandle.invokeExact());
      if (devices < 1) {
        throw new IllegalStateException("no CUDA device (the library loaded, but the driver reports no GPU)");
      }
      MethodHandle initHandle = bind.apply("polyhe_cuda_init", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
      int init = Downcall.invoke("polyhe_cuda_init", () -> (int) initHandle.invokeExact(0));
      h[0] = bind.apply("polyhe_cuda_last_error", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT));
      if (init != 0) {
        throw new IllegalStateException("CUDA initialisation failed: " + message(h[0]));
      }
      device = message(bind.apply("polyhe_cuda_device_name", FunctionDescriptor.ofVoid(ADDRESS, JAVA_INT)));
      h[1] = bind.apply("polyhe_cuda_register_ntt", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS,
          ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_LONG));
      FunctionDescriptor ntt = FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
      FunctionDescriptor binary =
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
      FunctionDescriptor negate = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
      FunctionDescriptor subScale =
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS);
      FunctionDescriptor convert = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS,
          ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT);
      h[2] = bind.apply("polyhe_cuda_ntt", ntt);
      h[3] = bind.apply("polyhe_cuda_binary", binary);
      h[4] = bind.apply("polyhe_cuda_negate", negate);
      h[5] = bind.apply("polyhe_cuda_scalar", binary);
      h[6] = bind.apply("polyhe_cuda_permute",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT));
      h[7] = bind.apply("polyhe_cuda_automorphism",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
      h[8] = bind.apply("polyhe_cuda_subtract_and_scale", subScale);
      h[9] = bind.apply("polyhe_cuda_convert_basis", convert);
      h[10] = bind.apply("polyhe_cuda_alloc", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, ADDRESS));
      h[11] = bind.apply("polyhe_cuda_free", FunctionDescriptor.of(JAVA_INT, ADDRESS));
      h[12] = bind.apply("polyhe_cuda_zero", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
      FunctionDescriptor transfer = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG);
      h[13] = bind.apply("polyhe_cuda_upload", transfer);
      h[14] = bind.apply("polyhe_cuda_copy", transfer);
      h[15] = bind.apply("polyhe_cuda_download", transfer);
      h[16] = bind.apply("polyhe_cuda_synchronize", noArgs);
      h[17] = bind.apply("polyhe_cuda_r_ntt", ntt);
      h[18] = bind.apply("polyhe_cuda_r_binary", binary);
      h[19] = bind.apply("polyhe_cuda_r_negate", negate);
      h[20] = bind.apply("polyhe_cuda_r_scalar", binary);
      h[21] = bind.apply("polyhe_cuda_r_automorphism_ntt",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT));
      h[22] = bind.apply("polyhe_cuda_r_subtract_and_scale", subScale);
      h[23] = bind.apply("polyhe_cuda_r_convert_basis", convert);
      h[24] = bind.apply("polyhe_cuda_r_keyswitch_inner", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS,
          JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS));
      if (hostBuild) {
        Logger.getLogger(CudaLibrary.class.getName()).warning("loaded " + path + ": the HOST build of the CUDA "
            + "sources (a test library: kernels run as loops on the CPU, no GPU is used)");
      }
    } catch (Throwable t) {
      failure = NativeLibrary.describeFailure(t);
      java.util.Arrays.fill(h, null);
    }
    FAILURE = failure;
    HOST_BUILD = hostBuild;
    DEVICE = device;
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
    ALLOC = h[10];
    FREE = h[11];
    ZERO = h[12];
    UPLOAD = h[13];
    COPY = h[14];
    DOWNLOAD = h[15];
    SYNCHRONIZE = h[16];
    R_NTT = h[17];
    R_BINARY = h[18];
    R_NEGATE = h[19];
    R_SCALAR = h[20];
    R_AUTOMORPHISM_NTT = h[21];
    R_SUBTRACT_AND_SCALE = h[22];
    R_CONVERT_BASIS = h[23];
    R_KEYSWITCH_INNER = h[24];
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

  /** True when the loaded library is the host build of the sources (tests), not a GPU one. */
  static boolean hostBuild() {
    return HOST_BUILD;
  }

  /** The device's name, SM count and memory (null when unavailable). */
  static String device() {
    return DEVICE;
  }

  /** (prime, log2 n) pairs whose tables the library holds. */
  private record Registered(long q, int logN) {}

  private static final java.util.Set<Registered> REGISTERED = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /** Registers {@code t}'s tables with the library once per (prime, n) (both entry-point sets use them). */
  static void register(io.polyhe.he.math.NttTables t) {
    long q = t.modulus().value();
    Registered key = new Registered(q, t.logN());
    if (REGISTERED.contains(key)) {
      return;
    }
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment w = arena.allocateFrom(JAVA_LONG, t.rootPowers());
      MemorySegment ws = arena.allocateFrom(JAVA_LONG, t.rootPowersShoup());
      MemorySegment iw = arena.allocateFrom(JAVA_LONG, t.invRootPowers());
      MemorySegment iws = arena.allocateFrom(JAVA_LONG, t.invRootPowersShoup());
      int rc = Downcall.invoke("polyhe_cuda_register_ntt", () -> (int) REGISTER_NTT.invokeExact(q, t.logN(), w, ws,
          iw, iws, t.nInv(), t.nInvShoup(), t.lastInverseTwiddle(), t.lastInverseTwiddleShoup()));
      check(rc, "NTT table registration");
    }
    REGISTERED.add(key);
  }

  /** Throws with the library's last error unless {@code rc} is 0. */
  static void check(int rc, String what) {
    if (rc != 0) {
      throw new IllegalStateException("CUDA " + what + " failed (" + rc + "): " + message(LAST_ERROR));
    }
  }

  /** The text a {@code void f(char *buf, int len)} function writes. */
  private static String message(MethodHandle handle) {
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buf = arena.allocate(512);
      Downcall.invoke("message", () -> {
        handle.invokeExact(buf, 512);
        return 0;
      });
      return buf.getString(0);
    }
  }
}
