package io.herald.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.file.DirectoryStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.nio.file.spi.FileSystemProvider;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.Put;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;

/**
 * What a data directory holds after a crash: a kill -9 of the standalone engine (what the OS had
 * been given survives), a snapshot of the journal taken mid-write (the same thing, taken while
 * the engine keeps running), and a power cut (only what was forced to disk survives; see
 * {@link PowerCut}). Each restart must succeed and show acknowledged changes and whole
 * transactions only.
 */
class CrashConsistencyTest {
    static final String JOURNAL = "herald-dynamodb.journal";

    static List<Map<String, AttributeValue>> scanAll(DynamoDbClient ddb, String table) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        ddb.scanPaginator(b -> b.tableName(table)).items().forEach(out::add);
        return out;
    }

    // ---- 1. Writes racing DeleteTable ----

    @Test
    void writeRacingDeleteTableNeverReachesTheJournal(@TempDir Path dir) throws Exception {
        // Ten writers put small items while two more write 100-item transactions, which hold the table's
        // lock long enough that DeleteTable, and puts behind it, queue up; then the table is dropped and
        // recreated under the same name. A write that loses the race must be refused, not journalled
        // after the drop (which made the next start fail on a put to a table that no longer exists).
        String t = "raced";
        String pad = "p".repeat(8 * 1024);
        for (int round = 0; round < 6; round++) {
            Path data = dir.resolve("round" + round);
            try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(data).start(); DynamoDbClient ddb = Sdk.client(engine.endpoint())) {
                Sdk.hashTable(ddb, t);
                ExecutorService pool = Executors.newFixedThreadPool(12);
                try {
                    AtomicBoolean stop = new AtomicBoolean();
                    AtomicInteger seq = new AtomicInteger();
                    CountDownLatch writing = new CountDownLatch(12);
                    List<Future<?>> writers = new ArrayList<>();
                    for (int w = 0; w < 12; w++) {
                        boolean bulk = w < 3;
                        writers.add(pool.submit(() -> {
                            writing.countDown();
                            while (!stop.get()) {
                                try {
                                    if (bulk) {
                                        List<TransactWriteItem> puts = new ArrayList<>();
                                        for (int j = 0; j < 100; j++) {
                                            puts.add(TransactWriteItem.builder().put(Put.builder().tableName(t).item(Map.of(
                                                    "pk", AttributeValue.fromS("old-" + seq.incrementAndGet()), "pad", AttributeValue.fromS(pad))).build()).build());
                                        }
                                        ddb.transactWriteItems(b -> b.transactItems(puts));
                                    } else {
                                        ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("old-" + seq.incrementAndGet()))));
                                    }
                                } catch (ResourceNotFoundException gone) {
                                    return null; // the answer to a write after the drop
                                }
                            }
                            return null;
                        }));
                    }
                    writing.await();
                    Thread.sleep(40 + 7 * round);
                    ddb.deleteTable(b -> b.tableName(t));
                    stop.set(true);
                    for (Future<?> f : writers) f.get(10, TimeUnit.SECONDS);
                } finally {
                    pool.shutdownNow();
                }
                Sdk.hashTable(ddb, t);
                ddb.putItem(b -> b.tableName(t).item(Map.of("pk", AttributeValue.fromS("new"))));
                assertEquals(List.of(Map.of("pk", AttributeValue.fromS("new"))), scanAll(ddb, t));
            }
            DynamoDbEngine again;
            try {
                again = DynamoDbEngine.builder().dataDir(data).start();
            } catch (RuntimeException e) {
                throw new AssertionError("round " + round + ": restart after writes raced DeleteTable failed: " + e, e);
            }
            try (again; DynamoDbClient ddb = Sdk.client(again.endpoint())) {
                assertEquals(List.of(Map.of("pk", AttributeValue.fromS("new"))), scanAll(ddb, t),
                        "round " + round + ": the recreated table holds only what was written to it");
            }
        }
    }

    // ---- 2. TransactWriteItems across kill -9 ----

    @Test
    void transactionIsAllOrNothingAcrossKill9(@TempDir Path dir) throws Exception {
        String t = "txn";
        PersistenceTest.Running first = PersistenceTest.launch(dir.resolve("live"));
        Set<String> acknowledged = ConcurrentHashMap.newKeySet();
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        List<Path> snapshots = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            try (DynamoDbClient ddb = Sdk.client(first.endpoint())) {
                Sdk.hashTable(ddb, t);
            }
            AtomicBoolean dead = new AtomicBoolean();
            for (int c = 0; c < 6; c++) {
                int client = c;
                pool.submit(() -> {
                    try (DynamoDbClient ddb = Sdk.client(first.endpoint())) {
                        for (int i = 0; ; i++) { // until the kill makes a call fail
                            String tx = "c" + client + "-" + i;
                            List<TransactWriteItem> puts = new ArrayList<>();
                            for (int j = 0; j < 100; j++) {
                                puts.add(TransactWriteItem.builder().put(Put.builder().tableName(t)
                                        .item(Map.of("pk", AttributeValue.fromS(tx + "-" + j), "tx", AttributeValue.fromS(tx), "v", AttributeValue.fromS("x".repeat(64))))
                                        .build()).build());
                            }
                            ddb.transactWriteItems(b -> b.transactItems(puts));
                            acknowledged.add(tx);
                        }
                    } catch (RuntimeException e) {
                        if (!dead.get()) failures.add(e);
                    }
                    return null;
                });
            }
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30); // a cold child JVM on a loaded machine
            while (acknowledged.size() < 3 && System.nanoTime() < until) Thread.sleep(5);
            assertTrue(acknowledged.size() >= 3, "transactions were not acknowledged: " + acknowledged.size());
            // Snapshots of the journal while transactions are being written: each is what a kill -9 at that moment leaves.
            for (int s = 0; s < 4; s++) {
                Path snap = Files.createDirectories(dir.resolve("snap" + s));
                Files.copy(dir.resolve("live").resolve(JOURNAL), snap.resolve(JOURNAL));
                snapshots.add(snap);
                Thread.sleep(23);
            }
            dead.set(true); // from here on, failed calls are the kill's doing; clients keep sending until then
            first.process().destroyForcibly(); // SIGKILL, mid-transaction
            first.process().waitFor();
        } finally {
            pool.shutdownNow();
            first.process().destroyForcibly();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
        Set<String> before = Set.copyOf(acknowledged);
        assertTrue(failures.isEmpty(), "transactions failed before the kill: " + failures);

        PersistenceTest.Running second = PersistenceTest.launch(dir.resolve("live"));
        try (DynamoDbClient ddb = Sdk.client(second.endpoint())) {
            Map<String, Integer> counts = txCounts(scanAll(ddb, t));
            assertWholeTransactions(counts, "after kill -9");
            for (String tx : before) assertEquals(100, counts.getOrDefault(tx, 0), "acknowledged transaction " + tx + " after kill -9");
        } finally {
            second.process().destroyForcibly();
            second.process().waitFor();
        }
        for (Path snap : snapshots) {
            try (DynamoDbEngine e = DynamoDbEngine.builder().dataDir(snap).start(); DynamoDbClient ddb = Sdk.client(e.endpoint())) {
                assertWholeTransactions(txCounts(scanAll(ddb, t)), "journal snapshot " + snap.getFileName());
            }
        }
    }

    static Map<String, Integer> txCounts(List<Map<String, AttributeValue>> items) {
        Map<String, Integer> counts = new HashMap<>();
        for (Map<String, AttributeValue> item : items) counts.merge(item.get("tx").s(), 1, Integer::sum);
        return counts;
    }

    static void assertWholeTransactions(Map<String, Integer> counts, String when) {
        Map<String, Integer> partial = new HashMap<>();
        counts.forEach((tx, n) -> {
            if (n != 100) partial.put(tx, n);
        });
        assertTrue(partial.isEmpty(), when + ": transactions with only some of their 100 items: " + partial);
    }

    // ---- 16. Table-level changes are durable before they are acknowledged ----

    @Test
    void createTableAndTimeToLiveAreDurableBeforeAcknowledged(@TempDir Path dir) throws Exception {
        PowerCut disk = new PowerCut();
        Path live = Files.createDirectories(dir.resolve("live"));
        try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(disk.wrap(live)).start(); DynamoDbClient ddb = Sdk.client(engine.endpoint())) {
            Sdk.hashTable(ddb, "made");
            Path cut = disk.cut(live, dir.resolve("cut1"));
            try (DynamoDbEngine after = DynamoDbEngine.builder().dataDir(cut).start(); DynamoDbClient c = Sdk.client(after.endpoint())) {
                assertTrue(c.listTables().tableNames().contains("made"), "CreateTable was acknowledged but lost at a power cut");
            }

            ddb.updateTimeToLive(b -> b.tableName("made").timeToLiveSpecification(s -> s.attributeName("expires").enabled(true)));
            Path cut2 = disk.cut(live, dir.resolve("cut2"));
            try (DynamoDbEngine after = DynamoDbEngine.builder().dataDir(cut2).start(); DynamoDbClient c = Sdk.client(after.endpoint())) {
                var d = c.describeTimeToLive(b -> b.tableName("made")).timeToLiveDescription();
                assertEquals("ENABLED", d.timeToLiveStatusAsString(), "UpdateTimeToLive was acknowledged but lost at a power cut");
                assertEquals("expires", d.attributeName());
            }
        }
    }

    @Test
    void updateTableTagsAndDeleteTableAreDurableBeforeAcknowledged(@TempDir Path dir) throws Exception {
        PowerCut disk = new PowerCut();
        Path live = Files.createDirectories(dir.resolve("live"));
        try (DynamoDbEngine engine = DynamoDbEngine.builder().dataDir(disk.wrap(live)).start(); DynamoDbClient ddb = Sdk.client(engine.endpoint())) {
            Sdk.hashTable(ddb, "gone");
            Sdk.hashTable(ddb, "kept");
            ddb.putItem(b -> b.tableName("kept").item(Map.of("pk", AttributeValue.fromS("a")))); // makes both tables durable
            String arn = ddb.describeTable(b -> b.tableName("kept")).table().tableArn();

            ddb.updateTable(b -> b.tableName("kept").streamSpecification(s -> s.streamEnabled(true).streamViewType(StreamViewType.KEYS_ONLY)));
            ddb.tagResource(b -> b.resourceArn(arn).tags(tag -> tag.key("team").value("herald")));
            ddb.deleteTable(b -> b.tableName("gone"));
            Path cut = disk.cut(live, dir.resolve("cut"));
            try (DynamoDbEngine after = DynamoDbEngine.builder().dataDir(cut).start(); DynamoDbClient c = Sdk.client(after.endpoint())) {
                assertEquals(List.of("kept"), c.listTables().tableNames(), "DeleteTable was acknowledged but undone by a power cut");
                var table = c.describeTable(b -> b.tableName("kept")).table();
                assertTrue(table.streamSpecification() != null && table.streamSpecification().streamEnabled(), "UpdateTable (stream) lost at a power cut");
                assertEquals("herald", c.listTagsOfResource(b -> b.resourceArn(arn)).tags().stream()
                        .filter(tag -> tag.key().equals("team")).map(tag -> tag.value()).findFirst().orElse(null), "TagResource lost at a power cut");
                assertEquals(1, c.scan(b -> b.tableName("kept")).count());
            }
        }
    }

    /**
     * The default file system, remembering for every file written how many of its bytes were
     * forced to disk. {@link #cut} copies a directory as a power cut would leave it: each file
     * only up to its last force. The engine is given a {@link #wrap wrapped} directory, so its
     * journal's channels (FileChannel.open, Files.newByteChannel and the streams built on them)
     * come from here.
     */
    static final class PowerCut extends FileSystemProvider {
        private final FileSystemProvider real = FileSystems.getDefault().provider();
        private final Map<Path, Long> durable = new ConcurrentHashMap<>();
        private final FileSystem fs = new WrappedFs();

        Path wrap(Path p) {
            if (p == null || p.getFileSystem() == fs) return p;
            return (Path) Proxy.newProxyInstance(CrashConsistencyTest.class.getClassLoader(), new Class<?>[] {Path.class}, new PathHandler(p));
        }

        static Path unwrap(Path p) {
            if (p != null && Proxy.isProxyClass(p.getClass()) && Proxy.getInvocationHandler(p) instanceof PathHandler h) return h.real;
            return p;
        }

        private static Path key(Path realPath) {
            return realPath.toAbsolutePath().normalize();
        }

        /** Copies {@code from} into a new directory {@code to}, each file cut at its last force. */
        synchronized Path cut(Path from, Path to) throws IOException {
            Files.createDirectories(to);
            try (Stream<Path> files = Files.list(from)) {
                for (Path f : files.toList()) {
                    if (!Files.isRegularFile(f)) continue;
                    Path copy = to.resolve(f.getFileName().toString());
                    Files.copy(f, copy);
                    Long keep = durable.get(key(f));
                    if (keep != null && keep < Files.size(copy)) {
                        try (FileChannel ch = FileChannel.open(copy, StandardOpenOption.WRITE)) {
                            ch.truncate(keep);
                        }
                    }
                }
            }
            return to;
        }

        private final class PathHandler implements InvocationHandler {
            final Path real;

            PathHandler(Path real) {
                this.real = real;
            }

            @Override
            public Object invoke(Object proxy, Method m, Object[] args) throws Throwable {
                switch (m.getName()) {
                    case "getFileSystem" -> {
                        return fs;
                    }
                    case "equals" -> {
                        return args[0] instanceof Path other && real.equals(unwrap(other));
                    }
                    case "register" -> throw new UnsupportedOperationException("watching a power-cut path");
                    default -> { }
                }
                Object[] a = args == null ? null : args.clone();
                if (a != null) for (int i = 0; i < a.length; i++) if (a[i] instanceof Path p) a[i] = unwrap(p);
                Object out;
                try {
                    out = m.invoke(real, a);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (out instanceof Path p) return wrap(p);
                if (out instanceof Iterator<?> it && m.getName().equals("iterator")) {
                    List<Path> all = new ArrayList<>();
                    it.forEachRemaining(x -> all.add(wrap((Path) x)));
                    return all.iterator();
                }
                return out;
            }
        }

        private final class WrappedFs extends FileSystem {
            private final FileSystem base = FileSystems.getDefault();

            @Override
            public FileSystemProvider provider() {
                return PowerCut.this;
            }

            @Override
            public void close() {
                throw new UnsupportedOperationException();
            }

            @Override
            public boolean isOpen() {
                return true;
            }

            @Override
            public boolean isReadOnly() {
                return false;
            }

            @Override
            public String getSeparator() {
                return base.getSeparator();
            }

            @Override
            public Iterable<Path> getRootDirectories() {
                List<Path> out = new ArrayList<>();
                base.getRootDirectories().forEach(p -> out.add(wrap(p)));
                return out;
            }

            @Override
            public Iterable<FileStore> getFileStores() {
                return base.getFileStores();
            }

            @Override
            public Set<String> supportedFileAttributeViews() {
                return base.supportedFileAttributeViews();
            }

            @Override
            public Path getPath(String first, String... more) {
                return wrap(base.getPath(first, more));
            }

            @Override
            public PathMatcher getPathMatcher(String syntaxAndPattern) {
                PathMatcher m = base.getPathMatcher(syntaxAndPattern);
                return p -> m.matches(unwrap(p));
            }

            @Override
            public UserPrincipalLookupService getUserPrincipalLookupService() {
                return base.getUserPrincipalLookupService();
            }

            @Override
            public WatchService newWatchService() {
                throw new UnsupportedOperationException();
            }
        }

        /** A channel that records, at each force, how much of its file is on disk. */
        private final class Tracked extends FileChannel {
            private final FileChannel d;
            private final Path key;

            Tracked(FileChannel d, Path key) {
                this.d = d;
                this.key = key;
            }

            @Override
            public int read(ByteBuffer dst) throws IOException {
                return d.read(dst);
            }

            @Override
            public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
                return d.read(dsts, offset, length);
            }

            @Override
            public int write(ByteBuffer src) throws IOException {
                return d.write(src);
            }

            @Override
            public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
                return d.write(srcs, offset, length);
            }

            @Override
            public long position() throws IOException {
                return d.position();
            }

            @Override
            public FileChannel position(long newPosition) throws IOException {
                d.position(newPosition);
                return this;
            }

            @Override
            public long size() throws IOException {
                return d.size();
            }

            @Override
            public FileChannel truncate(long size) throws IOException {
                d.truncate(size);
                durable.computeIfPresent(key, (k, v) -> Math.min(v, size));
                return this;
            }

            @Override
            public void force(boolean metaData) throws IOException {
                long size = d.size();
                d.force(metaData);
                durable.merge(key, size, Math::max);
            }

            @Override
            public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
                return d.transferTo(position, count, target);
            }

            @Override
            public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
                return d.transferFrom(src, position, count);
            }

            @Override
            public int read(ByteBuffer dst, long position) throws IOException {
                return d.read(dst, position);
            }

            @Override
            public int write(ByteBuffer src, long position) throws IOException {
                return d.write(src, position);
            }

            @Override
            public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
                return d.map(mode, position, size);
            }

            @Override
            public FileLock lock(long position, long size, boolean shared) throws IOException {
                return d.lock(position, size, shared);
            }

            @Override
            public FileLock tryLock(long position, long size, boolean shared) throws IOException {
                return d.tryLock(position, size, shared);
            }

            @Override
            protected void implCloseChannel() throws IOException {
                d.close();
            }
        }

        @Override
        public String getScheme() {
            return "powercut";
        }

        @Override
        public FileSystem newFileSystem(URI uri, Map<String, ?> env) {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileSystem getFileSystem(URI uri) {
            return fs;
        }

        @Override
        public Path getPath(URI uri) {
            return wrap(real.getPath(uri));
        }

        @Override
        public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
            Path p = unwrap(path);
            Path k = key(p);
            boolean writes = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
            boolean existed = Files.exists(p);
            FileChannel ch = real.newFileChannel(p, options, attrs);
            if (!writes) return ch;
            if (!existed || options.contains(StandardOpenOption.TRUNCATE_EXISTING)) durable.put(k, 0L);
            else durable.putIfAbsent(k, ch.size()); // there before we watched: taken as on disk
            return new Tracked(ch, k);
        }

        @Override
        public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs) throws IOException {
            return newFileChannel(path, options, attrs);
        }

        @Override
        public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter) throws IOException {
            DirectoryStream<Path> s = real.newDirectoryStream(unwrap(dir), p -> filter.accept(wrap(p)));
            return new DirectoryStream<>() {
                @Override
                public Iterator<Path> iterator() {
                    Iterator<Path> it = s.iterator();
                    return new Iterator<>() {
                        @Override
                        public boolean hasNext() {
                            return it.hasNext();
                        }

                        @Override
                        public Path next() {
                            return wrap(it.next());
                        }
                    };
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        }

        @Override
        public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
            real.createDirectory(unwrap(dir), attrs);
        }

        @Override
        public void delete(Path path) throws IOException {
            real.delete(unwrap(path));
            durable.remove(key(unwrap(path)));
        }

        @Override
        public void copy(Path source, Path target, CopyOption... options) throws IOException {
            real.copy(unwrap(source), unwrap(target), options);
            durable.remove(key(unwrap(target)));
        }

        @Override
        public void move(Path source, Path target, CopyOption... options) throws IOException {
            real.move(unwrap(source), unwrap(target), options);
            Long moved = durable.remove(key(unwrap(source)));
            if (moved != null) durable.put(key(unwrap(target)), moved);
            else durable.remove(key(unwrap(target)));
        }

        @Override
        public boolean isSameFile(Path path, Path path2) throws IOException {
            return real.isSameFile(unwrap(path), unwrap(path2));
        }

        @Override
        public boolean isHidden(Path path) throws IOException {
            return real.isHidden(unwrap(path));
        }

        @Override
        public FileStore getFileStore(Path path) throws IOException {
            return real.getFileStore(unwrap(path));
        }

        @Override
        public void checkAccess(Path path, AccessMode... modes) throws IOException {
            real.checkAccess(unwrap(path), modes);
        }

        @Override
        public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
            return real.getFileAttributeView(unwrap(path), type, options);
        }

        @Override
        public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException {
            return real.readAttributes(unwrap(path), type, options);
        }

        @Override
        public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException {
            return real.readAttributes(unwrap(path), attributes, options);
        }

        @Override
        public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
            real.setAttribute(unwrap(path), attribute, value, options);
        }
    }
}
