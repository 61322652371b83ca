package io.polyhe.nativebackend;

import java.util.ArrayList;
import java.util.List;

/**
 * The kernel paths of the native library, in the numbering of its C ABI ({@code
 * POLYHE_PATH_*}). {@code ifma} runs IFMA kernels for primes below 2^50 and AVX-512 ones for the
 * rest.
 */
public final class NativePaths {
  /** Path names indexed by their C number. */
  public static final List<String> ALL = List.of("scalar", "avx2", "avx512", "ifma");

  private NativePaths() {}

  /** Names of the paths whose bits are set in {@code mask}. */
  static List<String> names(int mask) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < ALL.size(); i++) {
      if ((mask & (1 << i)) != 0) {
        out.add(ALL.get(i));
      }
    }
    return out;
  }

  /** The paths this CPU runs (empty when the library is absent). */
  public static List<String> supported() {
    if (!NativeLibrary.available()) {
      return List.of();
    }
    return names(Downcall.invoke("polyhe_supported_paths", () -> (int) NativeLibrary.SUPPORTED_PATHS.invokeExact()));
  }

  /** The path the kernels use now. */
  public static String active() {
    requireLoaded();
    return ALL.get(Downcall.invoke("polyhe_active_path", () -> (int) NativeLibrary.ACTIVE_PATH.invokeExact()));
  }

  /**
   * Switches every native backend of this process to {@code name} (tests and benchmarks). Not
   * safe while kernels run on other threads.
   *
   * @throws IllegalArgumentException if the name is unknown or this CPU lacks the path
   */
  public static void select(String name) {
    requireLoaded();
    int path = ALL.indexOf(name);
    int rc = path < 0 ? -4 : Downcall.invoke("polyhe_select_path", () -> (int) NativeLibrary.SELECT_PATH.invokeExact(path));
    if (rc != 0) {
      throw new IllegalArgumentException(
          "native path '" + name + "' does not run here; supported: " + supported());
    }
  }

  private static void requireLoaded() {
    if (!NativeLibrary.available()) {
      throw new IllegalStateException("native library unavailable: " + NativeLibrary.unavailableReason());
    }
  }
}
