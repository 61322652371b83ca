package io.polyhe.server.session;

import io.polyhe.server.auth.Caller;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The stored description of a session, beside its key file: a {@link SessionRecord} less its id
 * (the id names the directory or object), as UTF-8 {@code java.util.Properties} with the keys
 * {@code caller, model, created, expires, relinearization, galois, bytes, sha256}. Files written by
 * earlier versions read unchanged. Stateless.
 */
public final class SessionDescription {
  private SessionDescription() {}

  /** Writes {@code r} to {@code out} (which stays open). */
  public static void write(SessionRecord r, OutputStream out) throws IOException {
    Properties p = new Properties();
    p.setProperty("caller", r.caller().id());
    p.setProperty("model", r.model());
    p.setProperty("created", Long.toString(r.createdMillis()));
    p.setProperty("expires", Long.toString(r.expiresMillis()));
    p.setProperty("relinearization", Boolean.toString(r.hasRelinearizationKey()));
    p.setProperty("galois", String.join(",", r.galoisElements().stream().map(String::valueOf).toList()));
    p.setProperty("bytes", Long.toString(r.bytes()));
    p.setProperty("sha256", r.sha256());
    Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
    p.store(w, "polyhe session");
    w.flush();
  }

  /**
   * The record of session {@code id} described by {@code in}.
   *
   * @throws DamagedFileException if the description is malformed or lacks a key
   * @throws IOException if {@code in} cannot be read
   */
  public static SessionRecord read(String id, InputStream in) throws IOException {
    Properties p = new Properties();
    try {
      p.load(new InputStreamReader(in, StandardCharsets.UTF_8));
    } catch (IllegalArgumentException e) {
      throw new DamagedFileException("session description malformed");
    }
    try {
      List<Integer> galois = new ArrayList<>();
      String g = p.getProperty("galois", "");
      if (!g.isEmpty()) {
        for (String s : g.split(",")) {
          galois.add(Integer.parseInt(s));
        }
      }
      return new SessionRecord(id, new Caller(required(p, "caller")), required(p, "model"),
          Long.parseLong(required(p, "created")), Long.parseLong(required(p, "expires")), galois,
          Boolean.parseBoolean(required(p, "relinearization")), Long.parseLong(required(p, "bytes")),
          required(p, "sha256"));
    } catch (IllegalArgumentException e) {
      throw new DamagedFileException("session description malformed");
    }
  }

  private static String required(Properties p, String key) throws DamagedFileException {
    String v = p.getProperty(key);
    if (v == null) {
      throw new DamagedFileException("session description lacks " + key);
    }
    return v;
  }
}
