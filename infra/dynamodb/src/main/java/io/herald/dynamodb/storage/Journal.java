package io.herald.dynamodb.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.model.AttributeJson;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.JsonWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.CRC32;

/**
 * The data directory: one append-only journal of table definitions and item writes, each line
 * {@code <crc32> <json>}. A write is acknowledged only after the journal is forced to disk; writers
 * that arrive while a force runs share the next one (group commit), so concurrent clients do not
 * each pay a full fsync. At start the journal is replayed and rewritten compactly (a snapshot of
 * the live tables), then appended to; while running it is rewritten the same way once it has
 * grown past {@link #needsCompaction its threshold}, so a long-lived engine's directory stays the
 * size of its data rather than of its history.
 *
 * <p>Why a journal and not an embedded database: the engine already holds every table in memory
 * (it must, to serve Query and Scan at memory speed), so the disk only has to make writes durable
 * and rebuild memory at start. A journal does exactly that with no dependency and one fsync per
 * group of writes; a B-tree store would add a second copy of the data structures to keep in step.
 *
 * <p>Recovery rules: a torn last line (a write that was never acknowledged) is dropped; a bad
 * line anywhere else is corruption and stops the start with its line number, never silently.
 *
 * <p>One engine per directory: an exclusive lock on {@link #LOCK_FILE}, held while the journal is
 * open, refuses a second one (two writers would interleave and compact over each other). The
 * operating system releases it when the process dies, so a killed engine never blocks its restart.
 */
final class Journal implements AutoCloseable {
    static final String FILE = "herald-dynamodb.journal";
    static final String LOCK_FILE = "herald-dynamodb.lock";
    private static final String HEADER = "HERALD-DYNAMODB-JOURNAL 1";
    private static final com.fasterxml.jackson.databind.node.JsonNodeFactory NODES = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;

    private final Path file;
    private final FileChannel lock; // holds the directory's lock; closing it releases the lock
    private FileChannel channel;
    private long bytes; // the file's length: snapshot plus appends since
    private long compactedBytes; // the snapshot's length at the last compaction
    private long written; // records appended
    private long synced; // records known durable
    private final Object syncLock = new Object();
    private static final ThreadLocal<long[]> LAST = ThreadLocal.withInitial(() -> new long[1]);

    private Journal(Path file, FileChannel lock) {
        this.file = file;
        this.lock = lock;
    }

    static Journal open(Path dir, Database into) throws IOException {
        Files.createDirectories(dir);
        refuseForeign(dir); // before the lock file: a directory that is not ours is left as it was
        FileChannel lock = lock(dir);
        try {
            Path file = dir.resolve(FILE);
            Journal j = new Journal(file, lock);
            if (Files.exists(file)) j.replay(into);
            return j;
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** The directory's lock, or a refusal naming who may hold it. */
    private static FileChannel lock(Path dir) throws IOException {
        FileChannel c = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        boolean held;
        try {
            held = c.tryLock() != null;
        } catch (java.nio.channels.OverlappingFileLockException inThisJvm) {
            held = false;
        }
        if (!held) {
            c.close();
            throw new IOException("data directory " + dir + " is in use by another running engine (a herald-dynamodb or herald-local "
                    + "process, or one in this JVM); stop it first, or use another directory");
        }
        return c;
    }

    /**
     * DynamoDB Local leaves SQLite files named *.db; say so instead of starting empty beside them.
     * A journal file that does not start with our header is refused too, never overwritten.
     */
    private static void refuseForeign(Path dir) throws IOException {
        Path file = dir.resolve(FILE);
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> db = files.filter(p -> p.getFileName().toString().endsWith(".db")).toList();
            if (!db.isEmpty() && !Files.exists(file)) {
                throw new IOException("data directory " + dir + " holds " + db.get(0).getFileName()
                        + ", which looks like DynamoDB Local's SQLite data; this engine cannot read it. Use another directory, or move those files away");
            }
        }
        if (Files.exists(file)) {
            try (java.io.InputStream in = Files.newInputStream(file)) {
                String header = readLine(in);
                if (header == null || !header.equals(HEADER)) throw notAJournal(file);
            }
        }
    }

    private static IOException notAJournal(Path file) {
        return new IOException(file + " is not a Herald DynamoDB journal (its first line is not '" + HEADER + "'); refusing to start rather than overwrite it");
    }

    /**
     * Replays line by line (the file is never held in memory whole). A line is applied only once
     * the next one has been read, so the last line can be judged as a possible torn write.
     */
    private void replay(Database into) throws IOException {
        long now = into.now();
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            String header = readLine(in);
            if (header == null || !header.equals(HEADER)) throw notAJournal(file);
            String pending = null;
            int lineNo = 1;
            String line;
            while ((line = readLine(in)) != null) {
                if (pending != null) applyLine(pending, lineNo, false, into, now);
                pending = line;
                lineNo++;
            }
            if (pending != null) applyLine(pending, lineNo, true, into, now);
        }
    }

    /** The next complete line, or a torn tail marked by a trailing NUL-free fragment returned as null-terminated; null at the end. */
    private static String readLine(java.io.InputStream in) throws IOException {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream(256);
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') return b.toString(StandardCharsets.UTF_8);
            b.write(c);
        }
        // no newline: a write cut short, never acknowledged
        return b.size() == 0 ? null : TORN;
    }

    private static final String TORN = "\u0000torn";

    private void applyLine(String line, int lineNo, boolean last, Database into, long now) throws IOException {
        if (line == TORN) return;
        JsonNode record = parse(line);
        if (record == null) {
            if (last) return; // a torn final record: never acknowledged
            throw new IOException(file + " is corrupt at line " + lineNo + " (checksum or format); refusing to start. Restore a backup or move the directory away");
        }
        apply(record, into, now);
    }

    private static JsonNode parse(String line) {
        int sp = line.indexOf(' ');
        if (sp != 8) return null;
        String body = line.substring(sp + 1);
        CRC32 crc = new CRC32();
        crc.update(body.getBytes(StandardCharsets.UTF_8));
        if (!String.format("%08x", crc.getValue()).equals(line.substring(0, 8))) return null;
        try {
            return io.herald.dynamodb.model.JsonTrees.read(body);
        } catch (IOException e) {
            return null;
        }
    }

    private static void apply(JsonNode r, Database into, long now) {
        switch (r.get("op").asText()) {
            case "table" -> {
                Table old = into.find(r.get("table").get("name").asText());
                Table t = TableCodec.fromJson(r.get("table"), now);
                if (old != null && old.id.equals(t.id)) {
                    for (var it = old.base().all(); it.hasNext(); ) t.put(it.next());
                    t.carryStreamsFrom(old);
                }
                into.restore(t);
            }
            case "drop" -> {
                Table t = into.find(r.get("name").asText());
                if (t != null && t.id.equals(r.path("id").asText(t.id))) into.forget(t.name);
            }
            case "put", "del" -> {
                Table t = into.find(r.get("t").asText());
                // a record for a table no longer there (or since recreated) cannot be applied; writes are journalled
                // before they are applied and only to live tables, so this only meets journals of older versions
                if (t == null || r.has("id") && !t.id.equals(r.get("id").asText())) return;
                boolean put = r.get("op").asText().equals("put");
                Map<String, AttributeValue> item = put ? AttributeJson.item(r.get("i")) : null;
                Map<String, AttributeValue> old = put ? t.put(item) : t.delete(AttributeJson.item(r.get("k")));
                // a write made while the table had a stream carries its record's number and time
                long seq = r.path("q").asLong(0);
                if (seq != 0) {
                    Database.streamChange(t, item, old, r.path("ttl").asBoolean(false), seq, r.get("at").asLong());
                    StreamLog.sequenceAtLeast(seq);
                }
            }
            case "srec" -> {
                // a stream record kept by a snapshot (the write that made it is folded into the items):
                // of a table's current stream, or ("s") of a closed stream named by its ARN
                StreamLog s;
                if (r.has("s")) {
                    s = into.stream(r.get("s").asText());
                } else {
                    Table t = into.find(r.get("t").asText());
                    s = t == null || !t.id.equals(r.get("id").asText()) ? null : t.stream;
                }
                if (s == null) return;
                Map<String, AttributeValue> keys = AttributeJson.item(r.get("k"));
                Map<String, AttributeValue> img = r.has("n") ? AttributeJson.item(r.get("n")) : null;
                Map<String, AttributeValue> oldImg = r.has("o") ? AttributeJson.item(r.get("o")) : null;
                long seq = r.get("q").asLong();
                s.restore(r.get("ev").asText(), keys, img, oldImg, r.path("ttl").asBoolean(false), seq, r.get("at").asLong());
                StreamLog.sequenceAtLeast(seq);
            }
            case "stream" -> {
                // a closed stream: the one replayed so far under that ARN, or (after a snapshot) a new one
                String arn = r.get("tarn").asText() + "/stream/" + Labels.streamLabel(r.get("created").asLong());
                StreamLog s = into.stream(arn);
                if (s == null) {
                    s = new StreamLog(r.get("tarn").asText(), r.get("t").asText(), r.get("view").asText(), r.get("created").asLong(),
                            r.get("start").asLong());
                    Table t = into.find(s.tableName);
                    if (t != null && t.id.equals(r.get("id").asText())) t.addClosedStream(s);
                }
                s.closedAs(r.get("end").asLong(), r.get("closed").asLong());
                into.registerStream(s);
            }
            case "tx" -> r.get("r").forEach(x -> apply(x, into, now));
            default -> throw new IllegalStateException("unknown journal record " + r.get("op"));
        }
    }

    /**
     * Whether the journal has grown to more than twice its last snapshot and past
     * {@code minBytes}: mostly history (overwrites, deletes, TTL expiries) rather than data.
     */
    synchronized boolean needsCompaction(long minBytes) {
        return bytes > minBytes && bytes > 2 * compactedBytes;
    }

    /**
     * Rewrites the journal as a snapshot of the live tables, atomically, and opens it for appends.
     * At runtime the caller has stopped every writer (no record may be appended, and no applied
     * write may be missing from the journal, while the snapshot is taken).
     */
    void compact(Collection<Table> tables, Collection<StreamLog> closed) throws IOException {
        synchronized (syncLock) {
            synchronized (this) {
                rewrite(tables, closed);
                synced = written; // everything written so far is in the forced snapshot
            }
        }
    }

    /** The live tables with their items and current streams, then each closed stream still kept, with its records. */
    private void rewrite(Collection<Table> tables, Collection<StreamLog> closed) throws IOException {
        Path tmp = file.resolveSibling(FILE + ".tmp");
        long size = 0;
        try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            size += writeAll(out, (HEADER + "\n").getBytes(StandardCharsets.UTF_8));
            for (Table t : tables) {
                size += writeAll(out, line(tableRecord(t)));
                for (var it = t.base().all(); it.hasNext(); ) size += writeAll(out, line(itemRecord("put", t, "i", it.next())));
                if (t.stream != null) {
                    for (StreamLog.Record r : t.stream.records()) size += writeAll(out, line(streamRecord(t, r)));
                }
            }
            for (StreamLog s : closed) {
                // a disabled stream of a live table goes back to that table; a deleted table's to none
                String id = tables.stream().filter(t -> t.streams.contains(s)).map(t -> t.id).findFirst().orElse("");
                size += writeAll(out, line(closedStreamRecord(id, s)));
                for (StreamLog.Record r : s.records()) size += writeAll(out, line(closedStreamRecordOf(s, r)));
            }
            out.force(true);
        }
        if (channel != null) channel.close();
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        try (FileChannel d = FileChannel.open(file.getParent(), StandardOpenOption.READ)) {
            d.force(true); // make the rename itself durable
        } catch (IOException notSupported) {
            // some file systems cannot open a directory; the rename is still atomic
        }
        channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        bytes = size;
        compactedBytes = size;
    }

    private static int writeAll(FileChannel out, byte[] b) throws IOException {
        ByteBuffer buf = ByteBuffer.wrap(b);
        while (buf.hasRemaining()) out.write(buf);
        return b.length;
    }

    void table(Table t) {
        append(line(tableRecord(t)));
    }

    /** A stream was closed (disabled, or its table deleted): kept, with its records, for the rest of its day. */
    void closedStream(String tableId, StreamLog s) {
        append(line(closedStreamRecord(tableId, s)));
    }

    private static String closedStreamRecord(String tableId, StreamLog s) {
        ObjectNode o = NODES.objectNode().put("op", "stream").put("t", s.tableName).put("id", tableId).put("tarn", s.tableArn())
                .put("view", s.viewType).put("created", s.createdMillis).put("start", Long.parseLong(s.startingSequence()))
                .put("end", Long.parseLong(s.endingSequence())).put("closed", s.closedAt());
        return io.herald.dynamodb.model.JsonTrees.text(o);
    }

    void dropTable(String name, String id) {
        ObjectNode o = NODES.objectNode().put("op", "drop").put("name", name).put("id", id);
        append(line(io.herald.dynamodb.model.JsonTrees.text(o)));
    }

    /** @param seq the stream record's sequence number, 0 when the table has no stream; {@code at} its time */
    void put(Table t, Map<String, AttributeValue> item, long seq, long at) {
        record(itemRecord("put", t, "i", item, seq, at, false));
    }

    void delete(Table t, Map<String, AttributeValue> key, long seq, long at, boolean ttl) {
        record(itemRecord("del", t, "k", key, seq, at, ttl));
    }

    /** A transaction's records, collected by the thread running it until commit. */
    private static final ThreadLocal<List<String>> BATCH = new ThreadLocal<>();

    void begin() {
        BATCH.set(new java.util.ArrayList<>());
    }

    void commit() {
        List<String> records = BATCH.get();
        BATCH.remove();
        if (records == null || records.isEmpty()) return;
        append(line("{\"op\":\"tx\",\"r\":[" + String.join(",", records) + "]}"));
    }

    private void record(String body) {
        List<String> batch = BATCH.get();
        if (batch != null) batch.add(body);
        else append(line(body));
    }

    private static String tableRecord(Table t) {
        ObjectNode o = NODES.objectNode().put("op", "table");
        o.set("table", TableCodec.toJson(t));
        return io.herald.dynamodb.model.JsonTrees.text(o);
    }

    private static String itemRecord(String op, Table table, String field, Map<String, AttributeValue> item) {
        return itemRecord(op, table, field, item, 0, 0, false);
    }

    private static String itemRecord(String op, Table table, String field, Map<String, AttributeValue> item, long seq, long at, boolean ttl) {
        JsonWriter w = new JsonWriter(128).startObject().field("op", op).field("t", table.name).field("id", table.id);
        AttributeJson.writeItem(w.name(field), item);
        if (seq != 0) w.name("q").number(seq).name("at").number(at);
        if (ttl) w.name("ttl").bool(true);
        return w.endObject().toString();
    }

    private static String streamRecord(Table table, StreamLog.Record r) {
        return streamRecord(new JsonWriter(128).startObject().field("op", "srec").field("t", table.name).field("id", table.id), r);
    }

    /** A record of a closed stream, named by the stream's ARN (its table may be gone). */
    private static String closedStreamRecordOf(StreamLog s, StreamLog.Record r) {
        return streamRecord(new JsonWriter(128).startObject().field("op", "srec").field("s", s.arn), r);
    }

    private static String streamRecord(JsonWriter w, StreamLog.Record r) {
        w.name("q").number(r.sequence()).name("at").number(r.createdMillis()).field("ev", r.eventName());
        AttributeJson.writeItem(w.name("k"), r.keys());
        if (r.newImage() != null) AttributeJson.writeItem(w.name("n"), r.newImage());
        if (r.oldImage() != null) AttributeJson.writeItem(w.name("o"), r.oldImage());
        if (r.ttlDelete()) w.name("ttl").bool(true);
        return w.endObject().toString();
    }

    private static byte[] line(String body) {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        CRC32 crc = new CRC32();
        crc.update(b);
        return (String.format("%08x", crc.getValue()) + " " + body + "\n").getBytes(StandardCharsets.UTF_8);
    }

    private synchronized void append(byte[] line) {
        long before = -1;
        try {
            before = channel.size();
            ByteBuffer buf = ByteBuffer.wrap(line);
            while (buf.hasRemaining()) channel.write(buf);
            bytes += line.length;
        } catch (IOException e) {
            // take back a partial line, so later records do not follow garbage (which replay would call corruption)
            try {
                if (before >= 0) channel.truncate(before);
            } catch (IOException ignored) {
                // the next start will find the torn tail and drop it if it is last
            }
            throw new UncheckedIOException("journal write failed", e);
        }
        LAST.get()[0] = ++written;
    }

    /** Waits until this thread's last record is durable; one force covers every record written before it. */
    void sync() {
        long mine = LAST.get()[0];
        if (mine == 0) return;
        synchronized (syncLock) {
            if (synced < mine) {
                long target;
                synchronized (this) {
                    target = written;
                }
                try {
                    channel.force(false);
                } catch (IOException e) {
                    throw new UncheckedIOException("journal fsync failed", e);
                }
                synced = target;
            }
        }
        LAST.get()[0] = 0;
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            if (channel != null && channel.isOpen()) { // a second close has nothing to force
                channel.force(false);
                channel.close();
            }
        } finally {
            lock.close();
        }
    }
}
