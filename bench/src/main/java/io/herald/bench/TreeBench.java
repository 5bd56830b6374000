package io.herald.bench;

import com.sun.net.httpserver.HttpServer;
import io.herald.aws.apigateway.ApiGatewayNotifier;
import io.herald.aws.config.AwsClients;
import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbDeliveredSets;
import io.herald.aws.dynamodb.DynamoDbPublicationLedger;
import io.herald.aws.dynamodb.DynamoDbQuotas;
import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.aws.dynamodb.DynamoDbStats;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.config.Settings;
import io.herald.core.fanout.FanOutPorts;
import io.herald.core.fanout.FanOutQueue;
import io.herald.core.fanout.FanOutTask;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.PublishService;
import io.herald.core.service.Services;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import javax.imageio.ImageIO;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * Issue 16 at scale, by simulation: one publication to 100,000 or 1,000,000 subscribers through
 * the tree fan-out's real code (PublishService, FanOutService, the DynamoDB adapters against
 * Herald's engine in its own process, signed PostToConnection calls through ApiGatewayNotifier),
 * with two stand-ins: a Management API sink (accepts posts for the registered connection ids
 * without sockets, answers after a set latency, injects 429s at a set rate) and an in-process
 * queue with SQS's visibility semantics and W workers playing Lambda's event source mapping
 * (batches of 3 as the template sets, ReportBatchItemFailures, each worker its own Services as its own container).
 * Each run checks that every connection was posted exactly once.
 *
 * <pre>java -cp bench/target/herald-bench.jar io.herald.bench.TreeBench [--subscribers 100000,1000000]
 *     [--workers 1,4,16] [--throttle 0,0.05] [--latency-ms 40] [--shards 16] [--out docs/tree-fanout-benchmark.md]</pre>
 *
 * Build first: {@code mvn -B -o -q package -DskipTests} (the engine jar and this jar).
 */
public final class TreeBench {
    static final String TOPIC_PREFIX = "broadcast.n";
    static final String STAGE = "bench";
    static final int WARM_UP = 5_000;
    /** FanOutFunction's BatchSize in template.yaml. */
    static final int ESM_BATCH = 3;

    record Run(int subscribers, int workers, double throttle, double seconds, double postsPerSecond, long injected429,
            int taskFailures, int tasks, long retried, boolean exactlyOnce, String check) {}

    /** Posts the workers retried (429s, and posts whose answer never came: those may have landed, see the check). */
    static final AtomicLong RETRIED = new AtomicLong();

    public static void main(String[] args) throws Exception {
        List<Integer> subscribers = List.of(100_000);
        List<Integer> workers = List.of(1, 4, 16);
        List<Double> throttles = List.of(0.0, 0.05);
        int latencyMs = 40, shards = 16;
        boolean inline = true;
        Path out = Path.of("docs/tree-fanout-benchmark.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--subscribers" -> subscribers = ints(args[++i]);
                case "--workers" -> workers = ints(args[++i]);
                case "--throttle" -> throttles = java.util.Arrays.stream(args[++i].split(",")).map(Double::parseDouble).toList();
                case "--latency-ms" -> latencyMs = Integer.parseInt(args[++i]);
                case "--shards" -> shards = Integer.parseInt(args[++i]);
                case "--no-inline" -> inline = false;
                case "--out" -> out = Path.of(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        // every worker keeps 32 posts in flight: let the JDK keep that many connections alive
        System.setProperty("http.maxConnections", "2048");
        Path jar = Path.of("infra/dynamodb/target/herald-dynamodb.jar");
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing; build first (mvn -B -o -q package -DskipTests)");
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process engine = new ProcessBuilder(javaBin, "-Xmx6g", "-jar", jar.toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Sink sink = new Sink(latencyMs);
        List<Run> runs = new ArrayList<>();
        Map<Integer, Double> seedSeconds = new LinkedHashMap<>();
        Map<Integer, double[]> inlineRuns = new LinkedHashMap<>();
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            EngineBench.awaitFirstAnswer(endpoint, engine);
            try (DynamoDbClient ddb = EngineBench.client(endpoint)) {
                DynamoDbSchema.all("connections", "subscriptions", "ledger").forEach(ddb::createTable);
                Map<String, String> env = new HashMap<>(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "bench",
                        "AWS_SECRET_ACCESS_KEY", "bench", "HERALD_FANOUT_CONCURRENCY", "32", "HERALD_INLINE_FANOUT_LIMIT", "2000",
                        "HERALD_FANOUT_BATCH_SIZE", "500", "HERALD_MAX_CONNECTIONS_PER_IP", "0"));
                // warm-up (JIT, connections), discarded: a small topic through the tree and inline
                seed(ddb, TOPIC_PREFIX + WARM_UP, WARM_UP, shards);
                sink.register(WARM_UP);
                tree(ddb, endpoint, env, sink, WARM_UP, 4, 0.05, shards);
                inline(ddb, env, sink, WARM_UP, shards);
                for (int n : subscribers) {
                    long t0 = System.nanoTime();
                    seed(ddb, TOPIC_PREFIX + n, n, shards);
                    seedSeconds.put(n, (System.nanoTime() - t0) / 1e9);
                    System.out.printf("seeded %,d subscriptions in %.1f s%n", n, seedSeconds.get(n));
                    sink.register(n);
                    // rounds rotate the order of the worker counts, so drift on this noisy machine hits each alike
                    int round = 0;
                    for (double throttle : throttles) {
                        List<Integer> order = new ArrayList<>(workers);
                        java.util.Collections.rotate(order, round++);
                        for (int w : order) {
                            Run r = tree(ddb, endpoint, env, sink, n, w, throttle, shards);
                            runs.add(r);
                            System.out.println(r);
                        }
                    }
                    if (inline && n <= 100_000) inlineRuns.put(n, inline(ddb, env, sink, n, shards));
                }
            }
        } finally {
            sink.close();
            engine.destroy();
            engine.waitFor();
        }
        Path png = out.resolveSibling(out.getFileName().toString().replace(".md", ".png"));
        chart(runs, png);
        String md = report(runs, seedSeconds, inlineRuns, latencyMs, shards, png.getFileName().toString());
        Files.writeString(out, md);
        System.out.println(md);
    }

    static List<Integer> ints(String csv) {
        return java.util.Arrays.stream(csv.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    /** Subscriptions as DynamoDbSubscriptionStore writes an exact one: bucket topic[#shard], sort key = connection id. */
    static void seed(DynamoDbClient ddb, String topic, int n, int shards) throws Exception {
        String ttl = Long.toString(Instant.now().plus(Duration.ofDays(1)).getEpochSecond());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> writes = new ArrayList<>();
        for (int from = 0; from < n; from += 25) {
            int start = from;
            writes.add(pool.submit(() -> {
                List<WriteRequest> batch = new ArrayList<>();
                for (int i = start; i < Math.min(n, start + 25); i++) {
                    String id = "k" + i;
                    int shard = Math.floorMod(id.hashCode(), shards);
                    Map<String, AttributeValue> item = Map.of("b", AttributeValue.fromS(shard == 0 ? topic : topic + "#" + shard),
                            "s", AttributeValue.fromS(id), "c", AttributeValue.fromS(id), "p", AttributeValue.fromS("topics"),
                            "ttl", AttributeValue.fromN(ttl));
                    batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
                }
                Map<String, List<WriteRequest>> pending = Map.of("subscriptions", batch);
                while (!pending.isEmpty()) {
                    Map<String, List<WriteRequest>> p = pending;
                    BatchWriteItemResponse r = ddb.batchWriteItem(b -> b.requestItems(p));
                    pending = r.hasUnprocessedItems() ? r.unprocessedItems() : Map.of();
                }
            }));
        }
        for (Future<?> f : writes) f.get();
        pool.shutdown();
    }

    static Services services(DynamoDbClient ddb, Map<String, String> env, Sink sink, int shards, FanOutPorts tree) {
        AwsClients clients = new AwsClients(env);
        ConnectionRegistry registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb, "connections"),
                new DynamoDbSubscriptionStore(ddb, "subscriptions", "connections", shards, c -> { }),
                new DynamoDbStats(ddb, "ledger"), new DynamoDbQuotas(ddb, "ledger"));
        HeraldConfig config = HeraldConfig.from(new Settings(env));
        return new Services(Clock.systemUTC(), config, registry, new DynamoDbPublicationLedger(ddb, "ledger", config.dedupWindow()),
                new ApiGatewayNotifier(clients.signedHttp(), sink.endpoint()), token -> {
                    throw new IllegalStateException("no tokens in this benchmark");
                }, line -> {
                    if ("fanout_batch".equals(line.path("event").asText())) RETRIED.addAndGet(line.path("retried").asLong());
                }, Thread::sleep, null, tree);
    }

    static Publication publication(String topic) {
        return new Publication("bench-" + UUID.randomUUID(), "broadcast", List.of(topic), Json.object().put("n", 1), null);
    }

    /** One publication through the tree with {@code w} workers; returns when every connection was posted or 20 minutes passed. */
    static Run tree(DynamoDbClient ddb, URI endpoint, Map<String, String> env, Sink sink, int n, int w, double throttle, int shards)
            throws Exception {
        sink.reset(throttle);
        RETRIED.set(0);
        SimQueue queue = new SimQueue();
        FanOutPorts ports = new FanOutPorts(queue, new DynamoDbDeliveredSets(ddb, "ledger"),
                new DynamoDbPublicationLedger(ddb, "ledger", Duration.ofHours(1), "fob#"),
                new io.herald.aws.dynamodb.DynamoDbBatchPlans(ddb, "ledger"));
        List<Services> instances = new ArrayList<>();
        for (int i = 0; i < w; i++) instances.add(services(ddb, env, sink, shards, ports));
        Services publisher = services(ddb, env, sink, shards, ports);
        AtomicInteger failures = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        long t0 = System.nanoTime();
        PublishService.Result r = publisher.publisher.publish(publication(TOPIC_PREFIX + n), Instant.now());
        if (r.tasks() == 0) throw new IllegalStateException("expected a tree fan-out, got " + r);
        for (Services s : instances) {
            Thread t = new Thread(() -> worker(s, queue, failures), "bench-worker");
            t.setDaemon(true);
            t.start();
            threads.add(t);
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(20);
        while (sink.delivered.get() < n && System.nanoTime() < deadline) Thread.sleep(20);
        double seconds = (sink.lastDelivery.get() - t0) / 1e9;
        queue.stop();
        for (Thread t : threads) t.join(30_000);
        String check = sink.check(n);
        return new Run(n, w, throttle, seconds, n / seconds, sink.injected.get(), failures.get(), queue.sent.get(), RETRIED.get(),
                check.isEmpty(), check.isEmpty() ? n + " of " + n + " once" : check);
    }

    /** One Lambda instance behind the event source mapping: batches of 3, failed tasks held back by the worker's backoff. */
    static void worker(Services s, SimQueue queue, AtomicInteger failures) {
        while (!queue.stopped) {
            List<SimQueue.Message> batch = queue.receive(ESM_BATCH);
            if (batch.isEmpty()) {
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
                continue;
            }
            for (SimQueue.Message m : batch) {
                try {
                    s.fanOut.handle(FanOutTask.read(m.body), Instant.now());
                    queue.delete(m);
                } catch (RuntimeException e) {
                    failures.incrementAndGet();
                    s.fanOut.retryLater(Long.toString(m.id), m.receiveCount);
                }
            }
        }
    }

    /** The same publication posted inline by one invocation (the tree switched off): the reference. */
    static double[] inline(DynamoDbClient ddb, Map<String, String> env, Sink sink, int n, int shards) throws Exception {
        sink.reset(0);
        Services s = services(ddb, env, sink, shards, FanOutPorts.NONE);
        long t0 = System.nanoTime();
        PublishService.Result r = s.publisher.publish(publication(TOPIC_PREFIX + n), Instant.now());
        double seconds = (System.nanoTime() - t0) / 1e9;
        System.out.printf("inline %,d: %.1f s, %s, %s%n", n, seconds, r, sink.check(n));
        return new double[] {seconds, n / seconds};
    }

    /** SQS's semantics the tree relies on: at-least-once receive, visibility timeout, delete, ChangeMessageVisibility. */
    static final class SimQueue implements FanOutQueue {
        static final long VISIBILITY_NANOS = TimeUnit.SECONDS.toNanos(180);

        static final class Message {
            final long id;
            final String body;
            long visibleAt;
            int receiveCount;

            Message(long id, String body) {
                this.id = id;
                this.body = body;
            }
        }

        private final PriorityQueue<Message> waiting = new PriorityQueue<>((a, b) -> Long.compare(a.visibleAt, b.visibleAt));
        private final Map<Long, Message> inFlight = new HashMap<>();
        private final AtomicLong ids = new AtomicLong();
        final AtomicInteger sent = new AtomicInteger();
        volatile boolean stopped;

        @Override
        public synchronized void enqueue(List<FanOutTask> tasks) {
            for (FanOutTask t : tasks) {
                String body = FanOutTask.write(t);
                if (body.length() > FanOutTask.MAX_BODY_BYTES) throw new IllegalStateException("task over 256 KB");
                Message m = new Message(ids.incrementAndGet(), body);
                m.visibleAt = System.nanoTime();
                waiting.add(m);
                sent.incrementAndGet();
            }
        }

        synchronized List<Message> receive(int max) {
            long now = System.nanoTime();
            // messages whose visibility timeout passed come back, as SQS returns them
            inFlight.values().removeIf(m -> {
                if (m.visibleAt > now) return false;
                waiting.add(m);
                return true;
            });
            List<Message> out = new ArrayList<>();
            while (out.size() < max && !waiting.isEmpty() && waiting.peek().visibleAt <= now) {
                Message m = waiting.poll();
                m.receiveCount++;
                m.visibleAt = now + VISIBILITY_NANOS;
                inFlight.put(m.id, m);
                out.add(m);
            }
            return out;
        }

        synchronized void delete(Message m) {
            inFlight.remove(m.id);
        }

        @Override
        public synchronized void retryAfter(String handle, Duration delay) {
            Message m = inFlight.get(Long.parseLong(handle));
            if (m != null) m.visibleAt = System.nanoTime() + delay.toNanos();
        }

        void stop() {
            stopped = true;
        }
    }

    /**
     * The Management API sink: POST /{stage}/@connections/k{i} answers 200 after the set latency
     * for i below the registered count (410 otherwise), or 429 at the set rate; counts deliveries per id.
     */
    static final class Sink implements AutoCloseable {
        final HttpServer server;
        final int latencyMs;
        volatile AtomicIntegerArray counts = new AtomicIntegerArray(0);
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicLong injected = new AtomicLong();
        final AtomicLong lastDelivery = new AtomicLong();
        volatile int registered;
        volatile double throttle;

        Sink(int latencyMs) throws IOException {
            System.setProperty("sun.net.httpserver.nodelay", "true");
            this.latencyMs = latencyMs;
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
            server.setExecutor(Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "sink");
                t.setDaemon(true);
                return t;
            }));
            String prefix = "/" + STAGE + "/@connections/";
            server.createContext(prefix, ex -> {
                try (InputStream in = ex.getRequestBody()) {
                    in.readAllBytes();
                }
                String id = ex.getRequestURI().getRawPath().substring(prefix.length());
                int status;
                if (latencyMs > 0) {
                    try {
                        Thread.sleep(latencyMs);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                int i = id.startsWith("k") ? parse(id.substring(1)) : -1;
                if (i < 0 || i >= registered) {
                    status = 410;
                } else if (throttle > 0 && ThreadLocalRandom.current().nextDouble() < throttle) {
                    status = 429;
                    injected.incrementAndGet();
                } else {
                    status = 200;
                    counts.incrementAndGet(i);
                    delivered.incrementAndGet();
                    lastDelivery.accumulateAndGet(System.nanoTime(), Math::max);
                }
                ex.sendResponseHeaders(status, -1);
                ex.close();
            });
            server.start();
        }

        static int parse(String s) {
            try {
                return Integer.parseInt(s);
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + STAGE;
        }

        void register(int n) {
            registered = n;
        }

        void reset(double throttleRate) {
            counts = new AtomicIntegerArray(registered);
            delivered.set(0);
            injected.set(0);
            lastDelivery.set(0);
            throttle = throttleRate;
        }

        /** Empty when every registered id got exactly one post; else what differs. */
        String check(int n) {
            int missing = 0, duplicated = 0;
            for (int i = 0; i < n; i++) {
                int c = counts.get(i);
                if (c == 0) missing++;
                if (c > 1) duplicated++;
            }
            return missing == 0 && duplicated == 0 ? "" : missing + " missing, " + duplicated + " duplicated";
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static String report(List<Run> runs, Map<Integer, Double> seeded, Map<Integer, double[]> inline, int latencyMs, int shards,
            String png) {
        StringBuilder b = new StringBuilder("# Tree fan-out at scale (simulation)\n\n");
        b.append("Generated by `java -cp bench/target/herald-bench.jar io.herald.bench.TreeBench` (after `mvn -B -o -q package -DskipTests`).\n\n");
        b.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores shared with other work, Java ")
                .append(System.getProperty("java.version")).append(". Date: ").append(java.time.LocalDate.now()).append(".\n\n");
        b.append("Real parts: PublishService, FanOutService, the DynamoDB adapters against Herald's engine (its own process), ")
                .append("signed PostToConnection calls through ApiGatewayNotifier. Stand-ins: a Management API sink answering after ")
                .append(latencyMs).append(" ms (about AWS's PostToConnection from Lambda) with 429s injected at the given rate; ")
                .append("an in-process queue with SQS's visibility semantics; W threads as W Lambda instances (each its own ")
                .append("Services: 32 posts in flight, batches of " + ESM_BATCH + " tasks). ").append(shards).append(" subscription shards, ")
                .append("batches of 500. All workers share this machine's CPUs, where on AWS each has its own: the curve flattens ")
                .append("where these cores saturate, not where Lambda would.\n\n");
        b.append("| subscribers | workers | injected 429 rate | publish → last post | posts/s | 429s answered | posts retried | failed task attempts | tasks | every connection once |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "| %,d | %d | %.0f %% | %.1f s | %,.0f | %,d | %,d | %d | %d | %s |%n", r.subscribers, r.workers,
                    r.throttle * 100, r.seconds, r.postsPerSecond, r.injected429, r.retried, r.taskFailures, r.tasks, r.check));
        }
        b.append("\n");
        inline.forEach((n, v) -> b.append(String.format(Locale.ROOT,
                "Reference: the same %,d posted inline by one invocation (tree off): %.1f s, %,.0f posts/s.%n%n", n, v[0], v[1])));
        seeded.forEach((n, s) -> b.append(String.format(Locale.ROOT, "Seeding %,d subscriptions (BatchWriteItem, 8 threads) took %.1f s.%n", n, s)));
        b.append("\n![posts per second against workers](").append(png).append(")\n");
        return b.toString();
    }

    static void chart(List<Run> runs, Path png) throws IOException {
        int w = 800, h = 480, left = 80, right = 30, top = 40, bottom = 60;
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        double maxY = 1, maxX = 1;
        for (Run r : runs) {
            maxY = Math.max(maxY, r.postsPerSecond * 1.1);
            maxX = Math.max(maxX, r.workers);
        }
        g.setColor(Color.DARK_GRAY);
        g.drawLine(left, h - bottom, w - right, h - bottom);
        g.drawLine(left, top, left, h - bottom);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int i = 0; i <= 5; i++) {
            int y = (int) (h - bottom - (h - top - bottom) * i / 5.0);
            g.drawString(String.format(Locale.ROOT, "%,.0f/s", maxY * i / 5), 10, y + 4);
        }
        g.drawString("workers (log scale)", w / 2 - 50, h - 15);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
        g.drawString("Tree fan-out: posts/s against workers (simulation, 2 shared cores)", left, 25);
        Map<String, List<Run>> series = new LinkedHashMap<>();
        for (Run r : runs) series.computeIfAbsent(String.format(Locale.ROOT, "%,d, %.0f %% 429", r.subscribers, r.throttle * 100), k -> new ArrayList<>()).add(r);
        Color[] colors = {new Color(200, 60, 40), new Color(40, 100, 200), new Color(40, 160, 80), new Color(150, 80, 180)};
        int s = 0;
        double logMax = Math.log(Math.max(2, maxX));
        for (Map.Entry<String, List<Run>> e : series.entrySet()) {
            g.setColor(colors[s % colors.length]);
            g.setStroke(new BasicStroke(2.5f));
            List<Run> pts = new ArrayList<>(e.getValue());
            pts.sort((a, c) -> Integer.compare(a.workers, c.workers));
            int px = -1, py = -1;
            for (Run r : pts) {
                int x = (int) (left + 20 + (w - left - right - 40) * Math.log(r.workers) / logMax);
                int y = (int) (h - bottom - (h - top - bottom) * r.postsPerSecond / maxY);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (px >= 0) g.drawLine(px, py, x, y);
                px = x;
                py = y;
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(Integer.toString(r.workers), x - 4, h - bottom + 18);
            }
            g.drawString(e.getKey(), w - right - 170, top + 20 + 18 * s);
            s++;
        }
        g.dispose();
        ImageIO.write(img, "png", png.toFile());
    }
}
