package io.polyhe.server.session;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where the serialised evaluation keys of sessions live: each session is a key file (the keys in
 * polyhe's binary format, concatenated: the relinearisation key first, then Galois keys in the
 * order its record lists) plus its description ({@link SessionDescription}). {@link DiskKeyStore}
 * keeps them in a directory, {@link S3KeyStore} in an S3 bucket that several server replicas share.
 *
 * <p>Every implementation keeps these promises:
 *
 * <ul>
 *   <li><b>Whole or absent.</b> A session becomes visible (to {@link #open} and {@link #read}) only
 *       when {@link PendingKeys#commit} has stored all of it; the description goes last, so a
 *       crash at any point leaves nothing that {@link #open} would serve.
 *   <li><b>Verified on load.</b> {@link #read} returns a stream that checks size and SHA-256
 *       against the record at its end ({@link VerifyingInputStream}): nothing damaged is ever
 *       parsed into keys that get served.
 *   <li><b>No leftovers.</b> {@link PendingKeys#close} before commit removes what was written;
 *       {@link #open} removes what interrupted uploads of an earlier process left.
 *   <li><b>Full or failing.</b> A store with no room throws {@link KeyStoreFullException} (the
 *       partial upload removed); a store that cannot be reached throws {@link
 *       KeyStoreUnavailableException}; other {@link IOException}s are faults of this server.
 * </ul>
 *
 * Ids reaching a store are valid ({@link SessionIds#valid}). Implementations are thread-safe; the
 * store does not cache, count or check callers (that is {@link SessionStore}'s work).
 *
 * <p><b>Shared stores.</b> Other processes (server replicas) may add and delete sessions in the same
 * store at any time. A session's description is the source of truth: {@link #find} and {@link #ids}
 * read the store as it is now, so a session published by one replica is found by another, and one
 * deleted by one replica is absent for all.
 */
public interface KeyStore extends AutoCloseable {
  /**
   * The sessions stored, read when a server starts. Leftovers of interrupted uploads are removed. A
   * session whose description or key file proves damaged (see {@link DamagedFileException}) is
   * removed and counted in {@link Inventory#lost}; one that cannot be read now (permissions, too
   * many open files) is kept and left out. A session for a model that {@code served} rejects is
   * kept, unchecked, and left out, so a restart that serves its model again serves it again.
   *
   * @throws IOException if the store itself cannot be listed
   */
  Inventory open(Predicate<String> served) throws IOException;

  /**
   * Starts the key file of new session {@code id} (a fresh {@link SessionIds#newId}); nothing of it
   * is visible until {@link PendingKeys#commit}.
   *
   * @throws KeyStoreFullException if the store has no room even to start
   */
  PendingKeys create(String id) throws IOException;

  /**
   * The record of session {@code id} as its stored description states it now; empty if the session
   * is not (or no longer, or not yet wholly) stored. The key file is not read (that is {@link
   * #read}'s work, which verifies it).
   *
   * @throws DamagedFileException if the description is malformed
   */
  Optional<SessionRecord> find(String id) throws IOException;

  /** The ids of the sessions published now (their descriptions stored); nothing is validated. */
  Set<String> ids() throws IOException;

  /**
   * The key file of {@code r}, to be read to its end: the stream's last read throws {@link
   * DamagedFileException} if the bytes are not the ones {@code r} describes.
   */
  InputStream read(SessionRecord r) throws IOException;

  /** Removes session {@code id}, key file and description; no effect if it is absent. */
  void delete(String id) throws IOException;

  /**
   * Bytes that new key files may still take, {@link Long#MAX_VALUE} for a store without a bound
   * (an object store); read before each upload starts.
   */
  long usableBytes() throws IOException;

  /** What {@link #open} found: the sessions to serve and how many it removed as damaged. */
  record Inventory(List<SessionRecord> sessions, long lost) {
    public Inventory {
      sessions = List.copyOf(sessions);
    }
  }

  /** Size and SHA-256 of a finished key file, as its description must state them. */
  record Checksum(long bytes, String sha256) {}

  /**
   * One key file being written, then published. Not thread-safe (one upload drives it); {@link
   * #close} may follow any call, and discards everything unless {@link #commit} succeeded.
   */
  interface PendingKeys extends AutoCloseable {
    /**
     * Appends {@code bytes} to the key file.
     *
     * @throws KeyStoreFullException if the store filled up
     */
    void write(byte[] bytes) throws IOException;

    /**
     * Ends the key file and makes its bytes durable; no write may follow.
     *
     * @return its size and SHA-256
     */
    Checksum finish() throws IOException;

    /**
     * Stores {@code r}'s description and publishes the session under {@code r.id()}, whole. {@code
     * r} must have the id given to {@link #create} and state the {@link #finish} checksum.
     *
     * @throws KeyStoreFullException if the store filled up (nothing is published)
     * @throws IllegalStateException if called before {@link #finish} or twice
     * @throws IllegalArgumentException if {@code r} has another id or states another checksum
     */
    void commit(SessionRecord r) throws IOException;

    /** Removes what was written unless committed; idempotent; never throws. */
    @Override
    void close();
  }

  /** Releases what the store holds open (an S3 client it made); the stored sessions stay. Idempotent. */
  @Override
  default void close() {}
}
