package io.polyhe.cli.service;

/**
 * Where the keyring passphrase comes from: a file named on the command line (its first line), else
 * {@code POLYHE_KEYRING_PASSPHRASE}, else the console. Never from a command-line argument, which
 * other users of the machine can see.
 */
final class Passphrases {
  static final String ENV = "POLYHE_KEYRING_PASSPHRASE";

  private Passphrases() {}

  static char[] read(java.nio.file.Path file, String prompt) throws java.io.IOException {
    if (file != null) {
      String first = java.nio.file.Files.readAllLines(file, java.nio.charset.StandardCharsets.UTF_8).stream()
          .findFirst().orElse("");
      if (first.isEmpty()) {
        throw new IllegalArgumentException("passphrase file " + file + " is empty");
      }
      return first.toCharArray();
    }
    return read(prompt);
  }

  static char[] read(String prompt) {
    String env = System.getenv(ENV);
    if (env != null && !env.isEmpty()) {
      return env.toCharArray();
    }
    var console = System.console();
    if (console == null) {
      throw new IllegalArgumentException("no terminal to ask for the keyring passphrase: set " + ENV);
    }
    char[] p = console.readPassword("%s", prompt);
    if (p == null || p.length == 0) {
      throw new IllegalArgumentException("empty passphrase");
    }
    return p;
  }
}
