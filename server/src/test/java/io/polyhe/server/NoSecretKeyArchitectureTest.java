package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The server never references the secret key, the secret-key access token, or the pieces that hold
 * one (DESIGN.md §3, §5). Two guards:
 *
 * <ul>
 *   <li>The module graph: the in-process client ({@code LocalInference}, {@code
 *       ClientAidedRefresher}) lives in the {@code local} module, which the server does not depend
 *       on (not even for tests), so its classes cannot be loaded here.
 *   <li>Every class file of the server's main code is scanned: a reference to a class, in a
 *       signature, field, call or cast, puts the class's internal name in the constant pool, so a
 *       byte search over it cannot miss a reference to the secret key, he-core's {@code
 *       Reencryptor}, the local module or the client SDK.
 * </ul>
 */
class NoSecretKeyArchitectureTest {
  static final Pattern FORBIDDEN = Pattern.compile(
      "io/polyhe/he/rlwe/(SecretKey|SecretKeyAccess)(?![A-Za-z0-9_$])"
          + "|io/polyhe/he/ckks/Reencryptor(?![A-Za-z0-9_$])"
          + "|io/polyhe/local/"
          + "|io/polyhe/client/");

  static List<String> forbiddenReferences(byte[] classFile) {
    Matcher m = FORBIDDEN.matcher(new String(classFile, StandardCharsets.ISO_8859_1));
    List<String> out = new ArrayList<>();
    while (m.find()) {
      out.add(m.group());
    }
    return out;
  }

  @Test
  void serverClassesNeverReferenceSecretKeys() throws IOException, URISyntaxException {
    Path classes = Path.of(PolyheServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    assertTrue(Files.isDirectory(classes), "main classes at " + classes);
    List<String> violations = new ArrayList<>();
    int scanned = 0;
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        scanned++;
        for (String ref : forbiddenReferences(Files.readAllBytes(f))) {
          violations.add(classes.relativize(f) + " -> " + ref);
        }
      }
    }
    assertTrue(scanned > 20, "scanned " + scanned + " classes");
    assertEquals(List.of(), violations);
  }

  /**
   * The local module is not on the server's class path, main or test (test scope is a superset of
   * main): its package has no classes here and its secret-key holders cannot be loaded. The local
   * module's own test checks that these are its classes' names.
   */
  @Test
  void theLocalRunnerIsNotOnTheServersClassPath() {
    ClassLoader loader = PolyheServer.class.getClassLoader();
    assertNull(loader.getResource("io/polyhe/local/"), "the local module's package is on the class path");
    for (String name : List.of("io.polyhe.local.LocalInference", "io.polyhe.local.ClientAidedRefresher")) {
      assertThrows(ClassNotFoundException.class, () -> Class.forName(name, false, loader), name);
    }
  }

  /**
   * Arithmetic decorators live in poly-models beside the pass runner, where a test checks that
   * each forwards every method; one declared here would escape that check.
   */
  @Test
  void theServerDeclaresNoArithmetic() throws IOException, URISyntaxException, ClassNotFoundException {
    Path classes = Path.of(PolyheServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    List<String> found = new ArrayList<>();
    try (Stream<Path> files = Files.walk(classes)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".class")).toList()) {
        String rel = classes.relativize(f).toString().replace(java.io.File.separatorChar, '/');
        String name = rel.substring(0, rel.length() - ".class".length()).replace('/', '.');
        if (name.endsWith("package-info")) {
          continue;
        }
        Class<?> c = Class.forName(name, false, PolyheServer.class.getClassLoader());
        if (io.polyhe.he.circuits.Arithmetic.class.isAssignableFrom(c)) {
          found.add(name);
        }
      }
    }
    assertEquals(List.of(), found);
  }

  @Test
  void theScanFindsAReferenceWhereThereIsOne() throws IOException {
    // The client SDK's keyring holds a SecretKey: the same scan must see it there.
    try (InputStream in = io.polyhe.client.Keyring.class.getResourceAsStream("Keyring.class")) {
      List<String> refs = forbiddenReferences(in.readAllBytes());
      assertTrue(refs.contains("io/polyhe/he/rlwe/SecretKey"), refs.toString());
    }
    assertFalse(FORBIDDEN.matcher("io/polyhe/he/rlwe/SecretKeyGenerator").find());
    assertTrue(FORBIDDEN.matcher("io/polyhe/local/LocalInference").find());
    assertTrue(FORBIDDEN.matcher("io/polyhe/he/ckks/Reencryptor").find());
    assertFalse(FORBIDDEN.matcher("io/polyhe/he/ckks/ReencryptorFactory").find());
    // The SDK's refresh answers with he-core's Reencryptor: the scan sees that reference too.
    try (InputStream in = io.polyhe.client.Keyring.class.getResourceAsStream("ClientCipher.class")) {
      assertTrue(forbiddenReferences(in.readAllBytes()).contains("io/polyhe/he/ckks/Reencryptor"));
    }
  }
}
