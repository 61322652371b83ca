package io.polyhe.server.auth;

import io.grpc.Context;

/**
 * Who is calling: the name of the API key presented (never the key itself), or {@code anonymous}
 * when the server runs without API keys. Sessions are bound to it.
 *
 * @param id the caller's name
 */
public record Caller(String id) {
  /** The caller when no API keys are configured. */
  public static final Caller ANONYMOUS = new Caller("anonymous");

  /** Set by {@link AuthInterceptor} for the duration of a call. */
  public static final Context.Key<Caller> CONTEXT_KEY = Context.key("polyhe-caller");

  /** The caller of the current call ({@link #ANONYMOUS} if none was set). */
  public static Caller current() {
    Caller c = CONTEXT_KEY.get();
    return c == null ? ANONYMOUS : c;
  }
}
