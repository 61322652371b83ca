package io.polyhe.nativebackend;

import io.polyhe.he.backend.DeviceBuffer;
import io.polyhe.he.backend.LimbSpan;
import io.polyhe.he.backend.ResidentDevice;
import io.polyhe.he.math.Modulus;
import io.polyhe.he.math.NttTables;
import java.lang.foreign.MemorySegment;
import java.lang.ref.Cleaner;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What both resident devices share: buffer handles with owners counted and a {@link Cleaner} as
 * the safety net, a pool of freed memory by size, stream-ordered frees, edge counters and the
 * argument checks every operation makes before it is queued.
 *
 * <p>Frees are stream-ordered: memory released by {@link DeviceBuffer#close()} or by the cleaner
 * (which may run on any thread) is put on a queue that the device's own calls drain into the pool,
 * so a later operation may reuse it only after every operation queued before the release. Memory
 * is returned to the system only by {@link #close()}. Public methods are {@code synchronized}: one
 * caller at a time.
 */
abstract class PooledDevice implements ResidentDevice {
  private static final Cleaner CLEANER = Cleaner.create();

  private final String name;
  private final int n;
  private final Map<Long, ArrayDeque<MemorySegment>> pool = new HashMap<>();
  private final ConcurrentLinkedQueue<Memory> released = new ConcurrentLinkedQueue<>();
  private final java.util.Set<Memory> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private long uploadedBytes;
  private long uploads;
  private long downloadedBytes;
  private long downloads;
  private boolean closed;

  PooledDevice(String name, int n) {
    if (Integer.bitCount(n) != 1 || n < 2) {
      throw new IllegalArgumentException("ring degree must be a power of two, got " + n);
    }
    this.name = name;
    this.n = n;
  }

  // ---- what a device implements ---------------------------------------------------------------

  /** Fresh memory of {@code bytes} (contents undefined). */
  abstract MemorySegment rawAllocate(long bytes);

  /** Returns memory to the system; runs only from {@link #close()} after a synchronisation. */
  abstract void rawFree(MemorySegment memory);

  /** Queues {@code memory = 0} for {@code bytes} bytes. */
  abstract void zero(MemorySegment memory, long bytes);

  /** Queues the copy of {@code src} (Java limbs) into device memory at {@code dst}. */
  abstract void rawUpload(long[][] src, int srcFirst, int count, MemorySegment dst);

  /** Waits for the queue, then copies device memory at {@code src} into {@code dst}. */
  abstract void rawDownload(MemorySegment src, int count, long[][] dst);

  /** Waits for the queue; throws the first failure since the last call. */
  abstract void rawSynchronize();

  // ---- buffers --------------------------------------------------------------------------------

  /** Device memory of one buffer, shared by the handle and its cleaner (never the handle itself). */
  static final class Memory {
    final MemorySegment segment;
    final long bytes;
    final AtomicInteger owners = new AtomicInteger(1);

    Memory(MemorySegment segment, long bytes) {
      this.segment = segment;
      this.bytes = bytes;
    }
  }

  /** The handle handed out; {@link #memory()} is checked against closing on every use. */
  final class Buffer implements DeviceBuffer {
    private final Memory memory;
    private final int limbs;
    private final Cleaner.Cleanable cleanable;

    Buffer(Memory memory, int limbs) {
      this.memory = memory;
      this.limbs = limbs;
      // The action must not reach this handle, or it would never become unreachable.
      this.cleanable = CLEANER.register(this, new Release(PooledDevice.this, memory));
    }

    @Override
    public int limbs() {
      return limbs;
    }

    @Override
    public int n() {
      return n;
    }

    @Override
    public boolean isOpen() {
      return memory.owners.get() > 0;
    }

    @Override
    public DeviceBuffer retain() {
      int owners;
      do {
        owners = memory.owners.get();
        if (owners <= 0) {
          throw new IllegalStateException("buffer already closed");
        }
      } while (!memory.owners.compareAndSet(owners, owners + 1));
      return this;
    }

    @Override
    public void close() {
      int owners;
      do {
        owners = memory.owners.get();
        if (owners <= 0) {
          return;
        }
      } while (!memory.owners.compareAndSet(owners, owners - 1));
      if (owners == 1) {
        cleanable.clean();
      }
    }

    PooledDevice device() {
      return PooledDevice.this;
    }

    MemorySegment memory() {
      if (memory.owners.get() <= 0) {
        throw new IllegalStateException("buffer already closed");
      }
      return memory.segment;
    }

    @Override
    public String toString() {
      return "DeviceBuffer(" + name + ", " + limbs + " limbs of " + n + (isOpen() ? ")" : ", closed)");
    }
  }

  /** The cleaner's action (or the last close): queue the memory for a stream-ordered free. */
  private record Release(PooledDevice device, Memory memory) implements Runnable {
    @Override
    public void run() {
      memory.owners.set(0);
      device.released.add(memory);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int n() {
    return n;
  }

  @Override
  public synchronized DeviceBuffer allocate(int limbs) {
    checkOpen();
    if (limbs < 1) {
      throw new IllegalArgumentException("a buffer needs at least one limb, got " + limbs);
    }
    drainReleased();
    long bytes = (long) limbs * n * Long.BYTES;
    ArrayDeque<MemorySegment> free = pool.get(bytes);
    MemorySegment segment = free == null || free.isEmpty() ? rawAllocate(bytes) : free.pop();
    zero(segment, bytes);
    Memory memory = new Memory(segment, bytes);
    live.add(memory);
    return new Buffer(memory, limbs);
  }

  /** Moves released memory to the pool (stream order: only operations queued later reuse it). */
  private void drainReleased() {
    Memory m;
    while ((m = released.poll()) != null) {
      if (live.remove(m)) {
        pool.computeIfAbsent(m.bytes, k -> new ArrayDeque<>()).push(m.segment);
      }
    }
  }

  @Override
  public synchronized long residentBytes() {
    drainReleased();
    long sum = 0;
    for (Memory m : live) {
      sum += m.bytes;
    }
    return sum;
  }

  @Override
  public synchronized Transfers transfers() {
    return new Transfers(uploadedBytes, uploads, downloadedBytes, downloads);
  }

  @Override
  public synchronized void upload(long[][] src, int srcFirst, LimbSpan dst) {
    checkOpen();
    MemorySegment d = at(dst);
    if (srcFirst < 0 || srcFirst + dst.count() > src.length) {
      throw new IllegalArgumentException("limbs [" + srcFirst + ", " + (srcFirst + dst.count()) + ") of "
          + src.length + " uploaded");
    }
    for (int i = 0; i < dst.count(); i++) {
      if (src[srcFirst + i].length != n) {
        throw new IllegalArgumentException("limb of " + src[srcFirst + i].length + " residues, device of " + n);
      }
    }
    rawUpload(src, srcFirst, dst.count(), d);
    uploadedBytes += (long) dst.count() * n * Long.BYTES;
    uploads++;
  }

  @Override
  public synchronized void download(LimbSpan src, long[][] dst) {
    checkOpen();
    MemorySegment s = at(src);
    if (dst.length < src.count()) {
      throw new IllegalArgumentException(src.count() + " limbs downloaded into " + dst.length);
    }
    for (int i = 0; i < src.count(); i++) {
      if (dst[i].length != n) {
        throw new IllegalArgumentException("limb of " + dst[i].length + " residues, device of " + n);
      }
    }
    rawDownload(s, src.count(), dst);
    downloadedBytes += (long) src.count() * n * Long.BYTES;
    downloads++;
  }

  @Override
  public synchronized void synchronize() {
    checkOpen();
    rawSynchronize();
  }

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    try {
      rawSynchronize();
    } finally {
      closed = true;
      drainReleased();
      for (Memory m : live) {
        m.owners.set(0);
        rawFree(m.segment);
      }
      live.clear();
      for (ArrayDeque<MemorySegment> free : pool.values()) {
        free.forEach(this::rawFree);
      }
      pool.clear();
      closeDevice();
    }
  }

  /** Releases what the device holds beyond buffers (plans, tables); after the last free. */
  void closeDevice() {}

  // ---- checks shared by every operation --------------------------------------------------------

  final void checkOpen() {
    if (closed) {
      throw new IllegalStateException("device " + name + " is closed");
    }
  }

  /** The address of the span's first limb, after checking the buffer is this device's and open. */
  final MemorySegment at(LimbSpan span) {
    if (!(span.buffer() instanceof Buffer b) || b.device() != this) {
      throw new IllegalArgumentException("buffer " + span.buffer() + " does not belong to device " + name);
    }
    drainReleased();
    return b.memory().asSlice((long) span.first() * n * Long.BYTES, (long) span.count() * n * Long.BYTES);
  }

  /** All spans have the count of the first. */
  static int sameCount(LimbSpan... spans) {
    int count = spans[0].count();
    for (LimbSpan s : spans) {
      if (s.count() != count) {
        throw new IllegalArgumentException("spans of " + count + " and " + s.count() + " limbs");
      }
    }
    return count;
  }

  static void checkModuli(Modulus[] moduli, int count) {
    if (moduli.length < count) {
      throw new IllegalArgumentException(count + " limbs, " + moduli.length + " moduli");
    }
  }

  static void checkScalars(long[] scalars, Modulus[] moduli, int count) {
    checkModuli(moduli, count);
    if (scalars.length < count) {
      throw new IllegalArgumentException(count + " limbs, " + scalars.length + " scalars");
    }
    for (int i = 0; i < count; i++) {
      if (Long.compareUnsigned(scalars[i], moduli[i].value()) >= 0) {
        throw new IllegalArgumentException("scalar " + i + " not reduced modulo " + moduli[i].value());
      }
    }
  }

  final void checkTables(NttTables[] tables, int count) {
    if (tables.length < count) {
      throw new IllegalArgumentException(count + " limbs, " + tables.length + " NTT tables");
    }
    for (int i = 0; i < count; i++) {
      if (tables[i].n() != n) {
        throw new IllegalArgumentException("NTT tables of " + tables[i].n() + " on a device of " + n);
      }
    }
  }

  final void checkGalois(int galois) {
    if ((galois & 1) == 0 || galois <= 0 || galois >= 2 * n) {
      throw new IllegalArgumentException("Galois element must be odd and in [1, 2N), got " + galois);
    }
  }

  /** Two spans of one buffer whose limb ranges intersect. */
  static boolean overlap(LimbSpan a, LimbSpan b) {
    return a.buffer() == b.buffer() && a.first() < b.first() + b.count() && b.first() < a.first() + a.count();
  }

  static long[] values(Modulus[] moduli, int count) {
    long[] v = new long[count];
    for (int i = 0; i < count; i++) {
      v[i] = moduli[i].value();
    }
    return v;
  }
}
