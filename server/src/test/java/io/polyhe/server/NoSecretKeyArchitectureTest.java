package io.polyhe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * The server never references the secret key, the secret-key access token, or the in-process
 * client pieces that hold one (DESIGN.md §3, §5). Every class file of the server's main code is
 * scanned: a reference to a class, in a signature, field, call or cast, puts the class's internal
 * name in the constant pool, so a byte search over it cannot miss one.
 */
class NoSecretKeyArchitectureTest {
  static final Pattern FORBIDDEN = Pattern.compile(
      "io/polyhe/he/rlwe/(SecretKey|SecretKeyAccess)(?![A-Za-z0-9_$])"
          + "|io/polyhe/models/encrypted/(ClientAidedRefresher|LocalInference)(?![A-Za-z0-9_$])"
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

  @Test
  void theScanFindsAReferenceWhereThereIsOne() throws IOException {
    // The client SDK's keyring holds a SecretKey: the same scan must see it there.
    try (InputStream in = io.polyhe.client.Keyring.class.getResourceAsStream("Keyring.class")) {
      List<String> refs = forbiddenReferences(in.readAllBytes());
      assertTrue(refs.contains("io/polyhe/he/rlwe/SecretKey"), refs.toString());
    }
    assertFalse(FORBIDDEN.matcher("io/polyhe/he/rlwe/SecretKeyGenerator").find());
  }
}
