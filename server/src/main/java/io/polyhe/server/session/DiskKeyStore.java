package io.polyhe.server.session;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * A {@link KeyStore} in a local directory (DESIGN.md §5). Session {@code id} is directory {@code
 * <root>/<id>/} with {@code keys.bin} (the key file) and {@code session.properties} (its
 * description). An upload is written into a temporary directory {@code <root>/.upload-*}; its files
 * and then the directory are fsynced, and only then is it renamed into place atomically, so a crash
 * or power loss leaves a session whole or absent. {@link #open} checks every key file's size and
 * SHA-256 (about 1 s per {@code tiny} session). Writes go through a {@link Disk}, the seam tests
 * fail; ENOSPC and EDQUOT become {@link KeyStoreFullException}. Thread-safe (no state besides the
 * directory).
 */
public final class DiskKeyStore implements KeyStore {
  private static final Logger LOG = Logger.getLogger(DiskKeyStore.class.getName());
  static final String KEYS = "keys.bin";
  static final String META = "session.properties";
  static final String TMP_PREFIX = ".upload-";

  /**
   * Where the store's bytes go: the local file system, or a test's failing one. Implementations
   * are thread-safe.
   */
  public interface Disk {
    /** The file system itself. */
    Disk LOCAL = new Disk() {};

    /** A new file to write. */
    default OutputStream create(Path file) throws IOException {
      return Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    /** Forces {@code file}'s bytes (or a directory's entries) to the device. */
    default void sync(Path file) throws IOException {
      try (FileChannel c = FileChannel.open(file, Files.isDirectory(file) ? StandardOpenOption.READ
          : StandardOpenOption.WRITE)) {
        c.force(true);
      }
    }

    /** Bytes a new file in {@code dir} may still take. */
    default long usableBytes(Path dir) throws IOException {
      return Files.getFileStore(dir).getUsableSpace();
    }
  }

  private final Path root;
  private final Disk disk;

  /** The store at {@code root} (created if need be) on the local file system. */
  public DiskKeyStore(Path root) throws IOException {
    this(root, Disk.LOCAL);
  }

  /** The store at {@code root} (created if need be), writing through {@code disk}. */
  public DiskKeyStore(Path root, Disk disk) throws IOException {
    this.root = Files.createDirectories(root);
    this.disk = disk;
  }

  /** The directory of the store. */
  public Path root() {
    return root;
  }

  @Override
  public Inventory open(Predicate<String> served) throws IOException {
    List<SessionRecord> sessions = new ArrayList<>();
    long lost = 0;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (name.startsWith(TMP_PREFIX)) {
          // An upload the previous process did not finish: never a session.
          deleteTree(d);
        } else if (SessionIds.valid(name) && Files.isDirectory(d)) {
          String shortId = SessionIds.shortForm(name);
          try {
            SessionRecord r = readDescription(name, d);
            if (!served.test(r.model())) {
              // Kept on disk: a restart that serves the model again serves the session again.
              LOG.info("session " + shortId + " is for model '" + r.model() + "', not served now; kept on disk");
              continue;
            }
            try (InputStream in = read(r)) {
              in.transferTo(OutputStream.nullOutputStream());
            }
            sessions.add(r);
          } catch (DamagedFileException e) {
            lost++;
            LOG.warning("session " + shortId + " lost: " + e.getMessage()
                + "; its files are removed and its id is unknown from now on");
            try {
              deleteTree(d);
            } catch (IOException x) {
              LOG.warning("could not remove the files of a lost session: " + x.getClass().getSimpleName());
            }
          } catch (IOException e) {
            // Not proof of damage (permissions, too many open files): keep the files for a later start.
            LOG.warning("session " + shortId + " could not be read (" + e.getClass().getSimpleName()
                + "); kept on disk, not served until a restart reads it");
          }
        }
      }
    }
    return new Inventory(sessions, lost);
  }

  // Damaged: a missing or malformed description, a key file missing or of another size. The model
  // is not checked here (a session of a model not served now is not damaged).
  private static SessionRecord readDescription(String id, Path dir) throws IOException {
    SessionRecord r;
    try (InputStream in = Files.newInputStream(dir.resolve(META))) {
      r = SessionDescription.read(id, in);
    } catch (NoSuchFileException e) {
      throw new DamagedFileException("session description missing");
    }
    Path keys = dir.resolve(KEYS);
    if (!Files.exists(keys) || Files.size(keys) != r.bytes()) {
      throw new DamagedFileException("key file missing or of another size than its description");
    }
    return r;
  }

  @Override
  public Optional<SessionRecord> find(String id) throws IOException {
    try (InputStream in = Files.newInputStream(root.resolve(id).resolve(META))) {
      return Optional.of(SessionDescription.read(id, in));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public Set<String> ids() throws IOException {
    Set<String> ids = new HashSet<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
      for (Path d : dirs) {
        String name = d.getFileName().toString();
        if (SessionIds.valid(name) && Files.exists(d.resolve(META))) {
          ids.add(name);
        }
      }
    }
    return ids;
  }

  @Override
  public PendingKeys create(String id) throws IOException {
    Path dir = null;
    try {
      dir = Files.createTempDirectory(root, TMP_PREFIX);
      return new Pending(id, dir, new BufferedOutputStream(disk.create(dir.resolve(KEYS)), 1 << 16));
    } catch (IOException | RuntimeException e) {
      if (dir != null) {
        deleteQuietly(dir, "an upload's temporary directory");
      }
      if (e instanceof IOException io) {
        throwIfFull(io);
      }
      throw e;
    }
  }

  @Override
  public InputStream read(SessionRecord r) throws IOException {
    InputStream raw = Files.newInputStream(root.resolve(r.id()).resolve(KEYS));
    return new VerifyingInputStream(new BufferedInputStream(raw, 1 << 16), r.bytes(), r.sha256());
  }

  @Override
  public void delete(String id) throws IOException {
    deleteTree(root.resolve(id));
  }

  @Override
  public long usableBytes() throws IOException {
    return disk.usableBytes(root);
  }

  /**
   * Throws a full disk (ENOSPC, EDQUOT) as the client should see it: {@link KeyStoreFullException},
   * and the client may retry later. Any other I/O error stays what it is (INTERNAL, logged with a
   * reference).
   */
  private static void throwIfFull(IOException e) {
    String m = String.valueOf(e.getMessage());
    if (m.contains("No space left") || m.contains("Disk quota exceeded")) {
      LOG.warning("key store disk full: " + m);
      throw new KeyStoreFullException("the key store's disk is full; the upload was discarded, retry later");
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  private static void deleteQuietly(Path dir, String what) {
    try {
      deleteTree(dir);
    } catch (IOException x) {
      LOG.warning("could not remove " + what + ": " + x.getClass().getSimpleName());
    }
  }

  /** A key file in its temporary directory. */
  private final class Pending implements PendingKeys {
    private final String id;
    private final Path dir;
    private final OutputStream out;
    private final MessageDigest digest = Sha256.newDigest();
    private long bytes;
    private Checksum checksum;
    private boolean committed;
    private boolean closed;

    Pending(String id, Path dir, OutputStream out) {
      this.id = id;
      this.dir = dir;
      this.out = out;
    }

    @Override
    public void write(byte[] b) throws IOException {
      if (checksum != null || closed) {
        throw new IllegalStateException("the key file is finished");
      }
      try {
        out.write(b);
      } catch (IOException e) {
        throwIfFull(e);
        throw e;
      }
      digest.update(b);
      bytes += b.length;
    }

    @Override
    public Checksum finish() throws IOException {
      if (checksum != null || closed) {
        throw new IllegalStateException("the key file is finished");
      }
      try {
        out.close();
        disk.sync(dir.resolve(KEYS));
      } catch (IOException e) {
        throwIfFull(e);
        throw e;
      }
      checksum = new Checksum(bytes, Sha256.hex(digest));
      return checksum;
    }

    @Override
    public void commit(SessionRecord r) throws IOException {
      if (checksum == null || committed || closed) {
        throw new IllegalStateException("commit comes once, after finish");
      }
      if (!r.id().equals(id) || r.bytes() != checksum.bytes() || !r.sha256().equals(checksum.sha256())) {
        throw new IllegalArgumentException("the description states another session or key file");
      }
      try {
        try (OutputStream meta = disk.create(dir.resolve(META))) {
          SessionDescription.write(r, meta);
        }
        disk.sync(dir.resolve(META));
        disk.sync(dir);
      } catch (IOException e) {
        throwIfFull(e);
        throw e;
      }
      // Rename the complete directory into place: the session appears whole or not at all. The
      // fsyncs above make the rename durable only after the bytes it points at.
      Files.move(dir, root.resolve(r.id()), StandardCopyOption.ATOMIC_MOVE);
      committed = true;
      try {
        disk.sync(root);
      } catch (IOException e) {
        LOG.fine("could not fsync the key store directory: " + e.getMessage());
      }
    }

    @Override
    public void close() {
      if (committed || closed) {
        return;
      }
      closed = true;
      try {
        out.close();
      } catch (IOException e) {
        // A full disk fails the final flush too; the directory goes anyway.
      }
      deleteQuietly(dir, "an abandoned upload");
    }
  }

  @Override
  public String toString() {
    return "DiskKeyStore(" + root + ")";
  }
}
