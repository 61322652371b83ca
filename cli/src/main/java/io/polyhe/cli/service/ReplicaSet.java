package io.polyhe.cli.service;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code n} {@code polyhe serve} processes on fixed loopback ports, started with this JVM's Java
 * and class path and the same arguments (less the port), for {@code soak --replicas}. One can be
 * killed with SIGKILL (no shutdown hook runs: as a crashed or OOM-killed pod) and restarted on its
 * port. Each process's output goes to {@code replica-I.log} in {@code dir}. {@link #close} stops
 * them all (SIGTERM, so they shut down gracefully; SIGKILL after 20 s). Not thread-safe: one
 * thread at a time starts, kills and restarts; {@link #residentBytes} may be read from any thread
 * (a sample, possibly of a process being replaced).
 */
final class ReplicaSet implements AutoCloseable {
  private static final String READY = "polyhe serve:";
  private final Path dir;
  private final List<String> serveArgs;
  private final List<String> jvmArgs;
  private final int[] ports;
  private final Process[] processes;
  private final int[] starts;

  /**
   * @param serveArgs arguments of {@code serve} for every replica, without {@code --port}
   * @param jvmArgs JVM options of each replica (its heap)
   */
  ReplicaSet(Path dir, int n, List<String> jvmArgs, List<String> serveArgs) throws IOException {
    this.dir = dir;
    this.jvmArgs = List.copyOf(jvmArgs);
    this.serveArgs = List.copyOf(serveArgs);
    this.ports = new int[n];
    this.processes = new Process[n];
    this.starts = new int[n];
    for (int i = 0; i < n; i++) {
      try (ServerSocket s = new ServerSocket(0)) {
        ports[i] = s.getLocalPort();
      }
    }
  }

  int size() {
    return ports.length;
  }

  int port(int i) {
    return ports[i];
  }

  /** The replica listening on {@code port}, or -1. */
  int indexOf(int port) {
    for (int i = 0; i < ports.length; i++) {
      if (ports[i] == port) {
        return i;
      }
    }
    return -1;
  }

  /** {@code localhost:PORT} of every replica. */
  List<String> addresses() {
    List<String> a = new ArrayList<>();
    for (int p : ports) {
      a.add("localhost:" + p);
    }
    return a;
  }

  /** Starts every replica, in parallel, and waits until all serve. */
  void startAll(long timeoutMillis) throws IOException, InterruptedException {
    for (int i = 0; i < ports.length; i++) {
      launch(i);
    }
    for (int i = 0; i < ports.length; i++) {
      awaitReady(i, timeoutMillis);
    }
  }

  /** Resident memory of replica {@code i} now, bytes (Linux /proc), or 0 if unknown or not running. */
  long residentBytes(int i) {
    Process p = processes[i];
    if (p == null || !p.isAlive()) {
      return 0;
    }
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      // Gone meanwhile, or no /proc: unknown.
    }
    return 0;
  }

  /** Kills replica {@code i} with SIGKILL and waits until it is gone. */
  void kill(int i) throws InterruptedException {
    processes[i].destroyForcibly();
    processes[i].waitFor();
  }

  /** Starts replica {@code i} again on its port and waits until it serves. */
  void restart(int i, long timeoutMillis) throws IOException, InterruptedException {
    launch(i);
    awaitReady(i, timeoutMillis);
  }

  private Path log(int i) {
    return dir.resolve("replica-" + i + "-" + starts[i] + ".log");
  }

  private void launch(int i) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmArgs);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("io.polyhe.cli.Main");
    cmd.add("serve");
    cmd.add("--port");
    cmd.add(Integer.toString(ports[i]));
    cmd.addAll(serveArgs);
    starts[i]++;
    processes[i] = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log(i).toFile()).start();
  }

  private void awaitReady(int i, long timeoutMillis) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
    while (true) {
      String out = Files.readString(log(i));
      if (out.contains(READY)) {
        return;
      }
      if (!processes[i].isAlive()) {
        throw new IOException("replica " + i + " exited with " + processes[i].exitValue() + ":\n" + tail(out));
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("replica " + i + " did not start within " + timeoutMillis / 1000 + " s:\n" + tail(out));
      }
      Thread.sleep(100);
    }
  }

  private static String tail(String s) {
    return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
  }

  @Override
  public void close() throws InterruptedException {
    for (Process p : processes) {
      if (p != null) {
        p.destroy();
      }
    }
    for (Process p : processes) {
      if (p != null && !p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor();
      }
    }
  }
}
