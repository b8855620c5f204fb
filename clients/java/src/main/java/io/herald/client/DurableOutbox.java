package io.herald.client;

import com.google.protobuf.InvalidProtocolBufferException;
import io.herald.protocol.device.v1.ClientFrame;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The frames a device has not seen acknowledged, in memory and in an append-only file, so that a client restarted on
 * the same directory sends them again (with their message ids) and resumes pushes after the last sequence it saw.
 *
 * <p>The file is a log of records {@code [kind:1][length:4][payload]}: a frame was added, a frame is done (acked or
 * dropped; payload = message id), the highest push sequence seen. Replaying it rebuilds the state; a torn record at the
 * end (a crash mid-write) is cut off. The log is rewritten with only the live frames when it holds mostly dead ones,
 * through a temporary file and an atomic rename so that a crash leaves either the old or the new log.
 *
 * <p>Not thread-safe: the {@link DeviceClient} calls it under its own lock.
 */
public final class DurableOutbox implements Closeable {

  private static final String LOG_NAME = "outbox.log";
  private static final byte FRAME = 1;
  private static final byte DONE = 2;
  private static final byte PUSH_SEQ = 3;
  private static final int MIN_RECORDS_BEFORE_COMPACTION = 1024;

  private final Path log;
  private final boolean syncEachWrite;
  private final Map<String, ClientFrame> live = new LinkedHashMap<>();
  private long lastPushSeq;
  private long recordsInLog;
  private FileChannel channel;

  private DurableOutbox(Path log, boolean syncEachWrite) {
    this.log = log;
    this.syncEachWrite = syncEachWrite;
  }

  /**
   * Opens (or creates) the outbox in {@code directory}.
   *
   * @param syncEachWrite force every record to the disk before returning (survives power loss, costs a disk flush
   *     per frame); without it a record survives a crash of the process but not of the machine
   */
  public static DurableOutbox open(Path directory, boolean syncEachWrite) throws IOException {
    Files.createDirectories(directory);
    var outbox = new DurableOutbox(directory.resolve(LOG_NAME), syncEachWrite);
    outbox.replay();
    outbox.channel = FileChannel.open(outbox.log, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    return outbox;
  }

  /** The frames not yet done, oldest first. */
  public List<ClientFrame> pending() {
    return new ArrayList<>(live.values());
  }

  public int size() {
    return live.size();
  }

  public boolean contains(String messageId) {
    return live.containsKey(messageId);
  }

  /** The highest push sequence recorded, 0 for none. */
  public long lastPushSeq() {
    return lastPushSeq;
  }

  /** Keeps the frame until {@link #done}; durable when this returns. */
  public void add(ClientFrame frame) {
    write(FRAME, frame.toByteArray());
    live.put(frame.getMessageId(), frame);
  }

  /** Forgets the frame (acked, or dropped for good). */
  public void done(String messageId) {
    if (live.remove(messageId) != null) {
      write(DONE, messageId.getBytes(StandardCharsets.UTF_8));
      compactIfMostlyDead();
    }
  }

  /** Records that pushes up to {@code seq} were seen, if it is higher than what was recorded. */
  public void pushSeen(long seq) {
    if (seq > lastPushSeq) {
      write(PUSH_SEQ, ByteBuffer.allocate(Long.BYTES).putLong(seq).array());
      lastPushSeq = seq;
    }
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private void write(byte kind, byte[] payload) {
    try {
      channel.write(record(kind, payload));
      if (syncEachWrite) {
        channel.force(false);
      }
      recordsInLog++;
    } catch (IOException e) {
      throw new OutboxWriteException("cannot write the outbox " + log, e);
    }
  }

  private static ByteBuffer record(byte kind, byte[] payload) {
    return ByteBuffer.allocate(1 + Integer.BYTES + payload.length).put(kind).putInt(payload.length).put(payload).flip();
  }

  private void replay() throws IOException {
    if (!Files.exists(log)) {
      return;
    }
    try (var in = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      var header = ByteBuffer.allocate(1 + Integer.BYTES);
      long goodEnd = 0;
      while (true) {
        header.clear();
        if (readFully(in, header) < header.capacity()) {
          break;
        }
        header.flip();
        byte kind = header.get();
        int length = header.getInt();
        if (length < 0 || length > in.size() - in.position()) {
          break;
        }
        var payload = ByteBuffer.allocate(length);
        if (readFully(in, payload) < length) {
          break;
        }
        apply(kind, payload.array());
        recordsInLog++;
        goodEnd = in.position();
      }
      // A torn tail would make every later record unreadable: cut it off before appending again.
      if (goodEnd < in.size()) {
        in.truncate(goodEnd);
      }
    }
  }

  private void apply(byte kind, byte[] payload) throws IOException {
    switch (kind) {
      case FRAME -> {
        ClientFrame frame = parse(payload);
        live.put(frame.getMessageId(), frame);
      }
      case DONE -> live.remove(new String(payload, StandardCharsets.UTF_8));
      case PUSH_SEQ -> lastPushSeq = Math.max(lastPushSeq, ByteBuffer.wrap(payload).getLong());
      default -> throw new IOException("unknown record kind " + kind + " in " + log);
    }
  }

  private ClientFrame parse(byte[] payload) throws IOException {
    try {
      return ClientFrame.parseFrom(payload);
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("undecodable frame in " + log, e);
    }
  }

  private static int readFully(FileChannel in, ByteBuffer into) throws IOException {
    while (into.hasRemaining()) {
      if (in.read(into) < 0) {
        break;
      }
    }
    return into.position();
  }

  private void compactIfMostlyDead() {
    if (recordsInLog < Math.max(MIN_RECORDS_BEFORE_COMPACTION, 4L * (live.size() + 1))) {
      return;
    }
    Path fresh = log.resolveSibling(LOG_NAME + ".compacting");
    try {
      try (var out = FileChannel.open(fresh, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
        long records = 0;
        if (lastPushSeq > 0) {
          out.write(record(PUSH_SEQ, ByteBuffer.allocate(Long.BYTES).putLong(lastPushSeq).array()));
          records++;
        }
        for (ClientFrame frame : live.values()) {
          out.write(record(FRAME, frame.toByteArray()));
          records++;
        }
        out.force(true);
        recordsInLog = records;
      }
      channel.close();
      Files.move(fresh, log, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      channel = FileChannel.open(log, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new OutboxWriteException("cannot compact the outbox " + log, e);
    }
  }
}
