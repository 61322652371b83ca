package io.polyhe.fuzz;

import com.code_intelligence.jazzer.third_party.net.bytebuddy.agent.ByteBuddyAgent;
import java.lang.instrument.ClassFileTransformer;
import java.lang.instrument.Instrumentation;
import java.security.ProtectionDomain;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Lets Jazzer 0.24.0 instrument our Java 25 classes. Its shaded ASM reads class files up to major
 * version 67 (Java 23) and skips newer ones with "Unsupported class file major version 69", so
 * without this nothing of ours gets coverage feedback and fuzzing is blind. No Jazzer flag changes
 * that; instead, before any of our classes is loaded, this registers a transformer that relabels
 * {@code io/polyhe/**} class files from major 69 to {@value #JAZZER_MAX_MAJOR}. Java 24 and 25
 * added no class-file features over Java 23 (no new attributes, constant-pool tags or opcodes in
 * the non-preview format), so the bytes mean the same; the JVM loads the older version as is.
 *
 * <p>The transformer is not retransformation-capable, so it runs before Jazzer's and its output is
 * what Jazzer's instrumentation (and any retransformation) starts from. It is installed through the
 * {@link ByteBuddyAgent} that Jazzer itself uses (one {@link Instrumentation} per JVM, so Jazzer gets
 * the same instance later), when the JUnit launcher session opens, i.e. before test discovery loads
 * a test class. Needs {@code -Djdk.attach.allowAttachSelf=true} (and {@code
 * -XX:+EnableDynamicAgentLoading} to keep JDK 21+ quiet), set in the fuzz module's argLine.
 * Registered in {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}.
 */
public final class ClassFileVersionShim implements LauncherSessionListener {
  /** The newest class-file major version Jazzer 0.24.0's ASM accepts (Java 23). */
  static final int JAZZER_MAX_MAJOR = 67;

  private static final String OURS = "io/polyhe/";

  @Override
  public void launcherSessionOpened(LauncherSession session) {
    install();
  }

  private static boolean installed;

  static synchronized void install() {
    if (installed) {
      return;
    }
    Instrumentation instrumentation = ByteBuddyAgent.install();
    instrumentation.addTransformer(new Relabel(), false);
    installed = true;
  }

  private static final class Relabel implements ClassFileTransformer {
    @Override
    public byte[] transform(ClassLoader loader, String name, Class<?> redefined,
        ProtectionDomain domain, byte[] bytes) {
      if (name == null || !name.startsWith(OURS) || bytes.length < 8
          || (bytes[0] & 0xff) != 0xca || (bytes[1] & 0xff) != 0xfe
          || (bytes[2] & 0xff) != 0xba || (bytes[3] & 0xff) != 0xbe) {
        return null;
      }
      int minor = ((bytes[4] & 0xff) << 8) | (bytes[5] & 0xff);
      int major = ((bytes[6] & 0xff) << 8) | (bytes[7] & 0xff);
      if (major <= JAZZER_MAX_MAJOR || minor != 0) {
        return null; // already readable, or a preview class file (left alone)
      }
      byte[] relabelled = bytes.clone();
      relabelled[6] = (byte) (JAZZER_MAX_MAJOR >>> 8);
      relabelled[7] = (byte) JAZZER_MAX_MAJOR;
      return relabelled;
    }
  }
}
