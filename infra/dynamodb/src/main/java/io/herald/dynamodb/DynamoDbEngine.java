package io.herald.dynamodb;

import io.herald.dynamodb.api.Api;
import io.herald.dynamodb.http.WireServer;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.TtlSweeper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A DynamoDB-compatible engine on a loopback port, in memory or journalled to a directory.
 *
 * <pre>{@code
 * try (DynamoDbEngine ddb = DynamoDbEngine.builder().start()) {
 *     DynamoDbClient client = DynamoDbClient.builder().endpointOverride(ddb.endpoint())...
 * }
 * }</pre>
 *
 * Its threads are daemons, so an engine left open never keeps a JVM alive.
 */
public final class DynamoDbEngine implements AutoCloseable {
    private final Database db;
    private final WireServer server;
    private final ScheduledExecutorService sweeper;
    private final TtlSweeper ttl;
    private final String host;

    private DynamoDbEngine(Builder b) throws IOException {
        this.db = b.dataDir == null ? Database.inMemory(b.region, System::currentTimeMillis) : Database.open(b.dataDir, b.region, System::currentTimeMillis);
        this.host = b.host;
        try {
            this.server = new WireServer(new Api(db, b.capacity), b.host, b.port, b.threads);
        } catch (IOException e) {
            db.close();
            throw e;
        }
        db.compactAfterBytes(b.compactAfterBytes);
        this.ttl = new TtlSweeper(db);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "dynamodb-background");
            t.setDaemon(true);
            return t;
        });
        long every = b.ttlInterval.toMillis();
        sweeper.scheduleWithFixedDelay(this::sweepQuietly, every, every, TimeUnit.MILLISECONDS);
        if (b.dataDir != null) sweeper.scheduleWithFixedDelay(this::compactQuietly, 1, 1, TimeUnit.SECONDS);
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return server.port();
    }

    /** Requests begun on the wire and not yet answered (tests wait on it instead of sleeping). */
    int requestsInProgress() {
        return server.requestsInProgress();
    }

    /** {@code http://127.0.0.1:PORT} (or the bound host): the endpoint to give the SDK. */
    public URI endpoint() {
        String h = host.equals("0.0.0.0") ? "127.0.0.1" : host;
        return URI.create("http://" + h + ":" + port());
    }

    /** Runs one TTL pass now (tests, and callers that want expiry without waiting). */
    public int sweepExpired() {
        return ttl.sweep();
    }

    private void sweepQuietly() {
        try {
            ttl.sweep();
        } catch (RuntimeException e) {
            System.err.println("[herald-dynamodb] TTL sweep failed: " + e);
        }
    }

    /** Rewrites the journal now if it has grown mostly into history; whether it did. */
    public boolean compactIfDue() throws IOException {
        return db.compactIfDue();
    }

    private void compactQuietly() {
        try {
            db.compactIfDue();
        } catch (IOException | RuntimeException e) {
            // the old journal is untouched until the new one is complete: nothing is lost
            System.err.println("[herald-dynamodb] journal compaction failed: " + e);
        }
    }

    @Override
    public void close() {
        sweeper.shutdown(); // no interrupt: an interrupted journal write would close the journal for everyone
        server.close();
        try {
            db.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static final class Builder {
        private String host = "127.0.0.1";
        private int port;
        private Path dataDir;
        private String region = "us-east-1";
        private Duration ttlInterval = Duration.ofSeconds(5);
        private int threads = 512;
        private long compactAfterBytes = Database.COMPACT_AFTER_BYTES;
        private CapacityListener capacity;

        /** The interface to bind; loopback unless told otherwise. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** 0 (the default) picks a free port. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Journal every write here and reload it at start; null (the default) keeps everything in memory. */
        public Builder dataDir(Path dir) {
            this.dataDir = dir;
            return this;
        }

        public Builder region(String region) {
            this.region = region;
            return this;
        }

        /** How often expired items are deleted (DynamoDB takes up to days; locally a few seconds). */
        public Builder ttlSweepInterval(Duration every) {
            this.ttlInterval = every;
            return this;
        }

        /** Rewrite the data directory's journal once it passes this size and twice its last snapshot (default 64 MB). */
        public Builder compactAfterBytes(long bytes) {
            this.compactAfterBytes = bytes;
            return this;
        }

        /** Open connections served at once (one thread each); beyond it a new connection gets 503. */
        public Builder threads(int threads) {
            this.threads = threads;
            return this;
        }

        /**
         * Told each request's consumed capacity per table (the local stack's metrics); responses
         * are unchanged, ConsumedCapacity appears only where the caller asked for it.
         */
        public Builder capacityListener(CapacityListener listener) {
            this.capacity = listener;
            return this;
        }

        public DynamoDbEngine start() {
            try {
                return new DynamoDbEngine(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e.getMessage(), e);
            }
        }
    }
}
