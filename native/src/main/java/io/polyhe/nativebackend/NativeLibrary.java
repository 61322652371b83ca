package io.polyhe.nativebackend;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Loads {@code libpolyhe_native.so} once and binds its C ABI ({@code native/include/
 * polyhe_native.h}) as method handles.
 *
 * <p>Where the library comes from: the system property {@code polyhe.native.lib} (a path), else
 * the jar resource {@code /native/<os>-<arch>/libpolyhe_native.so} copied to a temporary file.
 * Any failure (no library for this platform, a forced path the CPU lacks, an ABI mismatch, native
 * access denied) is caught and kept as {@link #unavailableReason()}; nothing is thrown from class
 * initialisation.
 *
 * <p>Kernel handles are bound with {@link Linker.Option#critical(boolean) critical(true)}: the C
 * code reads and writes the Java heap arrays in place ({@code MemorySegment.ofArray}) with no
 * copy and no thread-state transition, which is why every kernel call must stay short (one limb).
 */
@SuppressWarnings("restricted") // loading and binding the library is this class's job
final class NativeLibrary {
  static final String RESOURCE_DIR = "/native/" + platform() + "/";
  static final String FILE_NAME = "libpolyhe_native.so";
  private static final int ABI_VERSION = 3;

  /** Null when loaded; the reason otherwise. */
  private static final String FAILURE;
  private static final String SOURCE;

  static final MethodHandle INIT;
  static final MethodHandle SUPPORTED_PATHS;
  static final MethodHandle ACTIVE_PATH;
  static final MethodHandle SELECT_PATH;
  static final MethodHandle PLAN_CREATE;
  static final MethodHandle NTT_FORWARD;
  static final MethodHandle NTT_INVERSE;
  static final MethodHandle ADD;
  static final MethodHandle SUB;
  static final MethodHandle NEGATE;
  static final MethodHandle MUL;
  static final MethodHandle MUL_ACC;
  static final MethodHandle MUL_SCALAR;
  static final MethodHandle ADD_SCALAR;
  static final MethodHandle PERMUTE;
  static final MethodHandle AUTOMORPHISM_COEFF;
  static final MethodHandle SUBTRACT_AND_SCALE;
  static final MethodHandle CONVERT_SCALE;
  static final MethodHandle CONVERT_LIMB;
  static final MethodHandle MUL_SCALAR_ACC;
  static final MethodHandle MUL_SUM4;

  static {
    String failure = null;
    String source = null;
    MethodHandle[] h = new MethodHandle[21];
    try {
      Path path = locate();
      source = path.toString();
      SymbolLookup lookup = SymbolLookup.libraryLookup(path, Arena.global());
      Binder b = new Binder(lookup);
      h[0] = b.plain("polyhe_init", FunctionDescriptor.of(JAVA_INT));
      h[1] = b.plain("polyhe_supported_paths", FunctionDescriptor.of(JAVA_INT));
      h[2] = b.plain("polyhe_active_path", FunctionDescriptor.of(JAVA_INT));
      h[3] = b.plain("polyhe_select_path", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
      h[4] = b.plain(
          "polyhe_ntt_plan_create",
          FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
      h[5] = b.critical("polyhe_ntt_forward", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
      h[6] = b.critical("polyhe_ntt_inverse", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));
      FunctionDescriptor binary =
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG);
      FunctionDescriptor withScalar =
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG);
      h[7] = b.critical("polyhe_add", binary);
      h[8] = b.critical("polyhe_sub", binary);
      h[9] = b.critical(
          "polyhe_negate", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG));
      h[10] = b.critical("polyhe_mul", binary);
      h[11] = b.critical("polyhe_mul_acc", binary);
      h[12] = b.critical("polyhe_mul_scalar", withScalar);
      h[13] = b.critical("polyhe_add_scalar", withScalar);
      h[14] = b.critical(
          "polyhe_permute", FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG));
      h[15] = b.critical(
          "polyhe_automorphism_coeff",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG));
      h[16] = b.critical(
          "polyhe_subtract_and_scale",
          FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, JAVA_LONG));
      h[17] = b.critical(
          "polyhe_convert_scale",
          FunctionDescriptor.of(
              JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG));
      h[18] = b.critical(
          "polyhe_convert_limb",
          FunctionDescriptor.of(
              JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG,
              ADDRESS, JAVA_LONG, JAVA_LONG));
      h[19] = b.critical("polyhe_mul_scalar_acc", withScalar);
      h[20] = b.critical(
          "polyhe_mul_sum4",
          FunctionDescriptor.of(
              JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS,
              JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_INT));
      MethodHandle version = b.plain("polyhe_abi_version", FunctionDescriptor.of(JAVA_INT));
      int abi = (int) version.invokeExact();
      if (abi != ABI_VERSION) {
        throw new IllegalStateException(
            "ABI version " + abi + " of " + path + ", expected " + ABI_VERSION);
      }
      int path0 = (int) h[0].invokeExact();
      if (path0 < 0) {
        String forced = System.getenv("POLYHE_NATIVE_PATH");
        int mask = (int) h[1].invokeExact();
        throw new IllegalStateException(
            "POLYHE_NATIVE_PATH=" + forced + " is not a path this CPU runs (it runs "
                + NativePaths.names(mask) + ")");
      }
    } catch (Throwable t) {
      failure = describe(t);
      java.util.Arrays.fill(h, null);
    }
    FAILURE = failure;
    SOURCE = source;
    INIT = h[0];
    SUPPORTED_PATHS = h[1];
    ACTIVE_PATH = h[2];
    SELECT_PATH = h[3];
    PLAN_CREATE = h[4];
    NTT_FORWARD = h[5];
    NTT_INVERSE = h[6];
    ADD = h[7];
    SUB = h[8];
    NEGATE = h[9];
    MUL = h[10];
    MUL_ACC = h[11];
    MUL_SCALAR = h[12];
    ADD_SCALAR = h[13];
    PERMUTE = h[14];
    AUTOMORPHISM_COEFF = h[15];
    SUBTRACT_AND_SCALE = h[16];
    CONVERT_SCALE = h[17];
    CONVERT_LIMB = h[18];
    MUL_SCALAR_ACC = h[19];
    MUL_SUM4 = h[20];
  }

  private NativeLibrary() {}

  /** True when the library loaded and its kernels may be called. */
  static boolean available() {
    return FAILURE == null;
  }

  /** Why the library is unavailable, or null when it loaded. */
  static String unavailableReason() {
    return FAILURE;
  }

  /** Where the library was loaded from (null if it was not found). */
  static String source() {
    return SOURCE;
  }

  /** {@code linux-x86_64} style directory name of this platform. */
  static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o = os.startsWith("linux") ? "linux" : os.startsWith("mac") ? "macos" : os.replace(' ', '_');
    String a = arch.equals("amd64") || arch.equals("x86_64") ? "x86_64"
        : arch.equals("aarch64") || arch.equals("arm64") ? "aarch64" : arch;
    return o + "-" + a;
  }

  private static Path locate() throws IOException {
    return locate("polyhe.native.lib", FILE_NAME, "it was built without cmake or a C compiler");
  }

  /**
   * The library {@code fileName}: the path in system property {@code property} if set, else the
   * jar resource under {@link #RESOURCE_DIR} copied to a temporary file.
   *
   * @param whyMissing why a jar may lack it, for the message
   */
  static Path locate(String property, String fileName, String whyMissing) throws IOException {
    String explicit = System.getProperty(property);
    if (explicit != null && !explicit.isBlank()) {
      Path p = Path.of(explicit);
      if (!Files.isRegularFile(p)) {
        throw new IOException("-D" + property + "=" + explicit + " is not a file");
      }
      return p;
    }
    try (InputStream in = NativeLibrary.class.getResourceAsStream(RESOURCE_DIR + fileName)) {
      if (in == null) {
        throw new IOException("no " + fileName + " for " + platform() + " in the polyhe-native jar (" + whyMissing
            + ") and -D" + property + " is not set");
      }
      Path tmp = Files.createTempFile(fileName.replace(".so", "-"), ".so");
      tmp.toFile().deleteOnExit();
      Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
      return tmp;
    }
  }

  /** A failure's message, with the fix when native access is not enabled. */
  static String describeFailure(Throwable t) {
    return describe(t);
  }

  private static String describe(Throwable t) {
    String msg = t.getMessage();
    if (t instanceof IllegalCallerException) {
      return "native access is not enabled (run java with --enable-native-access=ALL-UNNAMED): "
          + msg;
    }
    return msg == null ? t.getClass().getSimpleName() : msg;
  }

  /** Looks symbols up and binds them. */
  private record Binder(SymbolLookup lookup) {
    private static final Linker LINKER = Linker.nativeLinker();

    MethodHandle plain(String name, FunctionDescriptor fd) {
      return LINKER.downcallHandle(find(name), fd);
    }

    MethodHandle critical(String name, FunctionDescriptor fd) {
      return LINKER.downcallHandle(find(name), fd, Linker.Option.critical(true));
    }

    private MemorySegment find(String name) {
      return lookup.find(name).orElseThrow(() -> new IllegalStateException("symbol " + name + " missing"));
    }
  }
}
