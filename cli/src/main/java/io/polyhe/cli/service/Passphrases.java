package io.polyhe.cli.service;

/** Where the keyring passphrase comes from: {@code POLYHE_KEYRING_PASSPHRASE}, else the console. */
final class Passphrases {
  static final String ENV = "POLYHE_KEYRING_PASSPHRASE";

  private Passphrases() {}

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
