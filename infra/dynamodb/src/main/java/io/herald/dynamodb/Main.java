package io.herald.dynamodb;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/** {@code java -jar herald-dynamodb.jar [--port 8000] [--host 127.0.0.1] [--data-dir DIR] [--ttl-interval SECONDS]}. */
public final class Main {
    static final String USAGE = """
            Usage: java -jar herald-dynamodb.jar [options]

            A DynamoDB-compatible engine: the JSON 1.0 wire protocol of DynamoDB and DynamoDB Streams,
            for the AWS SDKs and CLI with an endpoint override. Any credentials are accepted.

              --port N            port to listen on (default 8000; 0 picks a free one)
              --host ADDRESS      interface to bind (default 127.0.0.1, loopback only)
              --data-dir DIR      keep tables in DIR across restarts (default: in memory)
              --ttl-interval S    seconds between TTL sweeps (default 5)
              --compact-after MB  rewrite the data directory's journal once it passes MB and twice
                                  its last snapshot (default 64)
              --region NAME       region used in ARNs and stream records (default us-east-1)
              --help              this text
            """;

    private Main() {}

    public static void main(String[] args) throws InterruptedException {
        loadJsonInBackground();
        DynamoDbEngine.Builder b = DynamoDbEngine.builder().port(8000);
        try {
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--help", "-h" -> {
                        System.out.print(USAGE);
                        return;
                    }
                    case "--port" -> b.port(intValue(a, value(args, ++i, a), 0, 65535));
                    case "--host" -> b.host(value(args, ++i, a));
                    case "--data-dir" -> b.dataDir(Path.of(value(args, ++i, a)));
                    case "--ttl-interval" -> b.ttlSweepInterval(Duration.ofSeconds(intValue(a, value(args, ++i, a), 1, 86400)));
                    case "--region" -> b.region(value(args, ++i, a));
                    case "--compact-after" -> b.compactAfterBytes(intValue(a, value(args, ++i, a), 1, 1 << 20) * 1024L * 1024);
                    case "--compact-after-bytes" -> b.compactAfterBytes(intValue(a, value(args, ++i, a), 1024, Integer.MAX_VALUE)); // tests
                    default -> throw new IllegalArgumentException("unknown option " + a);
                }
            }
        } catch (IllegalArgumentException e) {
            System.err.println("herald-dynamodb: " + e.getMessage() + "\n\n" + USAGE);
            System.exit(2);
        }
        DynamoDbEngine engine;
        try {
            engine = b.start();
        } catch (UncheckedIOException e) {
            System.err.println("herald-dynamodb: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            engine.close();
            stopped.countDown();
        }));
        System.out.println("DynamoDB  " + engine.endpoint());
        System.out.flush();
        // after the banner, off the path to the first answer: the management classes take a while to load
        Thread heap = new Thread(HeapReturn::apply, "dynamodb-heap-return");
        heap.setDaemon(true);
        heap.setPriority(Thread.MIN_PRIORITY);
        heap.start();
        stopped.await();
    }

    /**
     * Reads and writes a small document on a second thread while this one opens the database and
     * binds the port: the JSON tree's classes (Jackson's nodes, the engine's reader and writer)
     * are most of what the first request loads, and the machine's other core can load them
     * meanwhile (docs/dynamodb-benchmark.md, first answer).
     */
    private static void loadJsonInBackground() {
        Thread t = new Thread(() -> {
            try {
                io.herald.dynamodb.model.JsonTrees.bytes(io.herald.dynamodb.model.JsonTrees.read(
                        "{\"TableName\":\"t\",\"Item\":{\"k\":{\"S\":\"a\"},\"n\":{\"N\":\"1.5\"},\"l\":{\"L\":[{\"BOOL\":true},{\"NULL\":true}]}}}"));
            } catch (java.io.IOException | RuntimeException e) {
                // only speed is at stake: the first request loads whatever this did not
            }
        }, "dynamodb-json-load");
        t.setDaemon(true);
        t.start();
    }

    private static String value(String[] args, int i, String option) {
        if (i >= args.length) throw new IllegalArgumentException(option + " needs a value");
        return args[i];
    }

    private static int intValue(String option, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) throw new IllegalArgumentException(option + " must be between " + min + " and " + max + ", not " + v);
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, not '" + v + "'");
        }
    }
}
