package io.polyhe.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ApiKeysTest {
  @TempDir Path dir;

  @Test
  void keysFromAFileAuthenticateTheirCallerOnly() throws Exception {
    Path f = dir.resolve("keys.txt");
    Files.writeString(f, "# comment\n\nalice:aaaaaaaaaaaaaaaaaaaa\nbob:bbbbbbbbbbbbbbbbbbbb\n");
    ApiKeys keys = ApiKeys.read(f);
    assertEquals(Optional.of(new Caller("alice")), keys.authenticate("aaaaaaaaaaaaaaaaaaaa"));
    assertEquals(Optional.of(new Caller("bob")), keys.authenticate("bbbbbbbbbbbbbbbbbbbb"));
    assertEquals(Optional.empty(), keys.authenticate("aaaaaaaaaaaaaaaaaaab"));
    assertEquals(Optional.empty(), keys.authenticate(""));
    assertFalse(keys.toString().contains("aaaa"), keys.toString());
  }

  @Test
  void badKeyFilesAreRefusedWithoutEchoingKeys() throws Exception {
    Path f = dir.resolve("keys.txt");
    Files.writeString(f, "alice:short\n");
    var e = assertThrows(IllegalArgumentException.class, () -> ApiKeys.read(f));
    assertFalse(e.getMessage().contains("short\n"));
    Files.writeString(f, "no colon here at all\n");
    e = assertThrows(IllegalArgumentException.class, () -> ApiKeys.read(f));
    assertTrue(e.getMessage().contains("line 1"), e.getMessage());
    assertFalse(e.getMessage().contains("no colon"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> ApiKeys.of(Map.of("a", "same-key-0123456789", "b", "same-key-0123456789")));
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.of(Map.of("bad name", "k-0123456789abcdef")));
    assertThrows(IllegalArgumentException.class, () -> ApiKeys.of(Map.of()));
  }
}
