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
import io.herald.core.delivery.ConnectionNotifier;
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
 * Each run checks that every connection was posted exactly once, and sorts any connection posted
 * twice by who repeated the post (see {@link Check}).
 *
 * <pre>java -cp bench/target/herald-bench.jar io.herald.bench.TreeBench [--subscribers 100000,1000000]
 *     [--workers 1,4,16] [--throttle 0,0.05] [--latency-ms 40] [--shards 16] [--out docs/tree-fanout-benchmark.md]
 *     [--lose-answers RATE] [--slow-answers RATE]</pre>
 *
 * {@code --lose-answers} makes the sink accept a post and then drop the connection without an
 * answer; {@code --slow-answers} makes it answer after 11 s, past the notifier's 10 s socket
 * timeout: the two ways an answer is lost.
 *
 * <p>A/B, interleaved: {@code --ab A,B [--rounds 5]} with A and B each {@code inline} or a number
 * of workers runs A and B alternately (ABBA order) on the first subscriber count and reports B/A
 * of the end-to-end time per round, its median and spread ({@code --out} defaults to
 * docs/tree-fanout-ab.md).
 *
 * Build first: {@code mvn -B -o -q package -DskipTests} (the engine jar and this jar).
 */
public final class TreeBench {
    static final String TOPIC_PREFIX = "broadcast.n";
    static final String STAGE = "bench";
    static final int WARM_UP = 5_000;
    /** FanOutFunction's BatchSize in template.yaml. */
    static final int ESM_BATCH = 3;

    /** {@code workers} 0: the inline reference (one invocation, no tree). */
    record Run(int subscribers, int workers, double throttle, double seconds, double postsPerSecond, long injected429,
            int taskFailures, int tasks, long retried, long answersLost, Check check) {}

    /**
     * What the sink received against what Herald did. A connection the sink accepted twice is
     * sorted by Herald's own count for it: it saw two delivered answers (it posted again after a
     * success: a bug); it called the notifier twice but saw at most one delivered answer (it
     * retried a post whose answer was lost: the documented at-least-once case); it called once
     * (the HTTP client under Herald sent the request again).
     */
    record Check(int n, int missing, int duplicated, int answerLostRetried, int resentBelowHerald, int postedAfterSuccess) {
        boolean exactlyOnce() {
            return missing == 0 && duplicated == 0;
        }

        @Override
        public String toString() {
            if (exactlyOnce()) return n + " of " + n + " once";
            return missing + " missing, " + duplicated + " duplicated (" + answerLostRetried + " answer lost and retried by Herald, "
                    + resentBelowHerald + " re-sent by the HTTP client, " + postedAfterSuccess + " posted again after a success)";
        }
    }

    /** Posts the workers retried (429s, and posts whose answer never came: those may have landed, see the check). */
    static final AtomicLong RETRIED = new AtomicLong();

    public static void main(String[] args) throws Exception {
        List<Integer> subscribers = List.of(100_000);
        List<Integer> workers = List.of(1, 4, 16);
        List<Double> throttles = List.of(0.0, 0.05);
        int latencyMs = 40, shards = 16, rounds = 5;
        double loseAnswers = 0, slowAnswers = 0;
        boolean inline = true;
        List<String> ab = null;
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--lose-answers" -> loseAnswers = Double.parseDouble(args[++i]);
                case "--slow-answers" -> slowAnswers = Double.parseDouble(args[++i]);
                case "--ab" -> ab = List.of(args[++i].split(","));
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
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
        if (ab != null && (ab.size() != 2 || !ab.stream().allMatch(v -> v.equals("inline") || v.matches("[1-9][0-9]*")))) {
            throw new IllegalArgumentException("--ab takes two of: inline, a number of workers (e.g. inline,16 or 4,16)");
        }
        if (out == null) out = Path.of(ab != null ? "docs/tree-fanout-ab.md" : "docs/tree-fanout-benchmark.md");
        // every worker keeps 32 posts in flight: let the JDK keep that many connections alive
        System.setProperty("http.maxConnections", "2048");
        Path jar = Path.of("infra/dynamodb/target/herald-dynamodb.jar");
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing; build first (mvn -B -o -q package -DskipTests)");
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process engine = new ProcessBuilder(javaBin, "-Xmx6g", "-jar", jar.toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        Sink sink = new Sink(latencyMs, loseAnswers, slowAnswers);
        List<Run> runs = new ArrayList<>();
        Map<Integer, Double> seedSeconds = new LinkedHashMap<>();
        Map<Integer, Run> inlineRuns = new LinkedHashMap<>();
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
                if (ab != null) {
                    int n = subscribers.get(0);
                    seed(ddb, TOPIC_PREFIX + n, n, shards);
                    sink.register(n);
                    for (int round = 0; round < rounds; round++) {
                        // ABBA: each variant goes first as often as second, so drift on this noisy machine hits both alike
                        List<String> order = round % 2 == 0 ? ab : List.of(ab.get(1), ab.get(0));
                        for (String v : order) {
                            Run r = v.equals("inline") ? inline(ddb, env, sink, n, shards)
                                    : tree(ddb, endpoint, env, sink, n, Integer.parseInt(v), throttles.get(0), shards);
                            System.out.println("round " + (round + 1) + " " + v + ": " + r);
                            runs.add(r);
                        }
                    }
                }
                for (int n : ab != null ? List.<Integer>of() : subscribers) {
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
        String md;
        if (ab != null) {
            md = abReport(runs, ab, String.join(" ", args), latencyMs, shards, loseAnswers, slowAnswers);
        } else {
            Path png = out.resolveSibling(out.getFileName().toString().replace(".md", ".png"));
            chart(runs, png);
            md = report(runs, seedSeconds, inlineRuns, latencyMs, shards, png.getFileName().toString(), loseAnswers, slowAnswers);
        }
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
                sink.counted(new ApiGatewayNotifier(clients.signedHttp(), sink.endpoint())), token -> {
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
        return new Run(n, w, throttle, seconds, n / seconds, sink.injected.get(), failures.get(), queue.sent.get(), RETRIED.get(),
                sink.lost.get(), sink.check(n));
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
    static Run inline(DynamoDbClient ddb, Map<String, String> env, Sink sink, int n, int shards) throws Exception {
        sink.reset(0);
        Services s = services(ddb, env, sink, shards, FanOutPorts.NONE);
        long t0 = System.nanoTime();
        PublishService.Result r = s.publisher.publish(publication(TOPIC_PREFIX + n), Instant.now());
        double seconds = (System.nanoTime() - t0) / 1e9;
        Check check = sink.check(n);
        System.out.printf("inline %,d: %.1f s, %s, %s%n", n, seconds, r, check);
        return new Run(n, 0, 0, seconds, n / seconds, 0, 0, 0, r.retried(), sink.lost.get(), check);
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
     * for i below the registered count (410 otherwise), or 429 at the set rate; counts deliveries
     * per id. At the set rates it loses the answer of a post it accepted: it drops the connection
     * without answering, or answers after the notifier's socket timeout. It also keeps Herald's
     * side of each id ({@link #counted}), to tell who repeated a post.
     */
    static final class Sink implements AutoCloseable {
        static final long SLOW_ANSWER_MS = 11_000;

        final HttpServer server;
        final int latencyMs;
        final double loseRate, slowRate;
        volatile AtomicIntegerArray counts = new AtomicIntegerArray(0);
        /** Herald's calls of the notifier per id, and the delivered answers it got. */
        volatile AtomicIntegerArray attempts = new AtomicIntegerArray(0), acks = new AtomicIntegerArray(0);
        final AtomicInteger delivered = new AtomicInteger();
        final AtomicLong injected = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        final AtomicLong lastDelivery = new AtomicLong();
        volatile int registered;
        volatile double throttle;

        Sink(int latencyMs, double loseRate, double slowRate) throws IOException {
            System.setProperty("sun.net.httpserver.nodelay", "true");
            // the JDK server keeps 200 idle connections by default and closes the rest, which the
            // workers' 512 then find closed on reuse; API Gateway keeps them
            System.setProperty("sun.net.httpserver.maxIdleConnections", "4096");
            this.latencyMs = latencyMs;
            this.loseRate = loseRate;
            this.slowRate = slowRate;
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
                if (latencyMs > 0) pause(latencyMs);
                int i = index(id);
                if (i < 0) {
                    status = 410;
                } else if (throttle > 0 && ThreadLocalRandom.current().nextDouble() < throttle) {
                    status = 429;
                    injected.incrementAndGet();
                } else {
                    status = 200;
                    counts.incrementAndGet(i);
                    delivered.incrementAndGet();
                    lastDelivery.accumulateAndGet(System.nanoTime(), Math::max);
                    double lose = ThreadLocalRandom.current().nextDouble();
                    if (lose < loseRate) {
                        lost.incrementAndGet();
                        ex.close(); // no answer sent: the server drops the connection
                        return;
                    }
                    if (lose < loseRate + slowRate) {
                        lost.incrementAndGet();
                        pause(SLOW_ANSWER_MS);
                    }
                }
                ex.sendResponseHeaders(status, -1);
                ex.close();
            });
            server.start();
        }

        private static void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The registered index of {@code k{i}}, or -1. */
        int index(String id) {
            if (!id.startsWith("k")) return -1;
            try {
                int i = Integer.parseInt(id.substring(1));
                return i >= 0 && i < registered ? i : -1;
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        /** The notifier as Herald sees it, counted per id. */
        ConnectionNotifier counted(ConnectionNotifier real) {
            return new ConnectionNotifier() {
                @Override
                public Outcome post(String connectionId, byte[] payload) {
                    int i = index(connectionId);
                    AtomicIntegerArray a = attempts, d = acks;
                    if (i >= 0 && i < a.length()) a.incrementAndGet(i);
                    Outcome o = real.post(connectionId, payload);
                    if (o == Outcome.DELIVERED && i >= 0 && i < d.length()) d.incrementAndGet(i);
                    return o;
                }

                @Override
                public Outcome disconnect(String connectionId) {
                    return real.disconnect(connectionId);
                }
            };
        }

        String endpoint() {
            return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + STAGE;
        }

        void register(int n) {
            registered = n;
        }

        void reset(double throttleRate) {
            counts = new AtomicIntegerArray(registered);
            attempts = new AtomicIntegerArray(registered);
            acks = new AtomicIntegerArray(registered);
            delivered.set(0);
            injected.set(0);
            lost.set(0);
            lastDelivery.set(0);
            throttle = throttleRate;
        }

        /** Every registered id posted exactly once, or what differs and who repeated each post. */
        Check check(int n) {
            int missing = 0, duplicated = 0, answerLost = 0, below = 0, again = 0;
            for (int i = 0; i < n; i++) {
                int c = counts.get(i);
                if (c == 0) missing++;
                if (c <= 1) continue;
                duplicated++;
                if (acks.get(i) >= 2) again++;
                else if (attempts.get(i) >= 2) answerLost++;
                else below++;
            }
            return new Check(n, missing, duplicated, answerLost, below, again);
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static String header(String title, int latencyMs, int shards, double loseAnswers, double slowAnswers) {
        StringBuilder b = new StringBuilder("# ").append(title).append("\n\n");
        b.append("Machine: ").append(Runtime.getRuntime().availableProcessors()).append(" cores shared with other work, Java ")
                .append(System.getProperty("java.version")).append(". Date: ").append(java.time.LocalDate.now()).append(".\n\n");
        b.append("Real parts: PublishService, FanOutService, the DynamoDB adapters against Herald's engine (its own process), ")
                .append("signed PostToConnection calls through ApiGatewayNotifier. Stand-ins: a Management API sink answering after ")
                .append(latencyMs).append(" ms (about AWS's PostToConnection from Lambda) with 429s injected at the given rate; ")
                .append("an in-process queue with SQS's visibility semantics; W threads as W Lambda instances (each its own ")
                .append("Services: 32 posts in flight, batches of " + ESM_BATCH + " tasks). ").append(shards).append(" subscription shards, ")
                .append("batches of 500. All workers share this machine's CPUs, where on AWS each has its own: the curve flattens ")
                .append("where these cores saturate, not where Lambda would.\n\n");
        if (loseAnswers > 0 || slowAnswers > 0) {
            b.append(String.format(Locale.ROOT, "Lost answers injected: the sink accepted a post and then dropped the connection "
                    + "unanswered at a rate of %s, and answered only after %d s (past the notifier's 10 s socket timeout) at a rate "
                    + "of %s.%n%n", loseAnswers, Sink.SLOW_ANSWER_MS / 1000, slowAnswers));
        }
        b.append("A connection posted twice is sorted by Herald's own count for it: *answer lost and retried by Herald* (it called ")
                .append("the notifier again after no answer or an error: the documented at-least-once case), *re-sent by the HTTP ")
                .append("client* (Herald called once; the client under it sent the request again), *posted again after a success* ")
                .append("(Herald saw two delivered answers: a bug).\n\n");
        return b.toString();
    }

    static String report(List<Run> runs, Map<Integer, Double> seeded, Map<Integer, Run> inline, int latencyMs, int shards,
            String png, double loseAnswers, double slowAnswers) {
        StringBuilder b = new StringBuilder(header("Tree fan-out at scale (simulation)", latencyMs, shards, loseAnswers, slowAnswers));
        b.insert(b.indexOf("\n\n") + 2, "Generated by `java -cp bench/target/herald-bench.jar io.herald.bench.TreeBench` (after "
                + "`mvn -B -o -q package -DskipTests`).\n\n");
        b.append("| subscribers | workers | injected 429 rate | publish → last post | posts/s | 429s answered | posts retried | answers lost | failed task attempts | tasks | every connection once |\n");
        b.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (Run r : runs) {
            b.append(String.format(Locale.ROOT, "| %,d | %d | %.0f %% | %.1f s | %,.0f | %,d | %,d | %,d | %d | %d | %s |%n", r.subscribers,
                    r.workers, r.throttle * 100, r.seconds, r.postsPerSecond, r.injected429, r.retried, r.answersLost, r.taskFailures,
                    r.tasks, r.check));
        }
        b.append("\n");
        inline.forEach((n, v) -> b.append(String.format(Locale.ROOT,
                "Reference: the same %,d posted inline by one invocation (tree off): %.1f s, %,.0f posts/s, %s.%n%n", n, v.seconds,
                v.postsPerSecond, v.check)));
        seeded.forEach((n, s) -> b.append(String.format(Locale.ROOT, "Seeding %,d subscriptions (BatchWriteItem, 8 threads) took %.1f s.%n", n, s)));
        b.append("\n![posts per second against workers](").append(png).append(")\n");
        return b.toString();
    }

    /** Rounds of A and B in ABBA order: each round's B/A of the end-to-end time, its median and spread. */
    static String abReport(List<Run> runs, List<String> ab, String args, int latencyMs, int shards, double loseAnswers,
            double slowAnswers) {
        StringBuilder b = new StringBuilder(header("Tree fan-out A/B, interleaved (simulation)", latencyMs, shards, loseAnswers, slowAnswers));
        b.insert(b.indexOf("\n\n") + 2, "Generated by `java -cp bench/target/herald-bench.jar io.herald.bench.TreeBench " + args
                + "` (after `mvn -B -o -q package -DskipTests`).\n\n");
        String a = label(ab.get(0)), bb = label(ab.get(1));
        b.append("| round | order | A: ").append(a).append(" | B: ").append(bb).append(" | B/A time | A check | B check |\n");
        b.append("|---|---|---|---|---|---|---|\n");
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i + 1 < runs.size(); i += 2) {
            int round = i / 2;
            boolean aFirst = round % 2 == 0;
            Run ra = aFirst ? runs.get(i) : runs.get(i + 1), rb = aFirst ? runs.get(i + 1) : runs.get(i);
            double ratio = rb.seconds / ra.seconds;
            ratios.add(ratio);
            b.append(String.format(Locale.ROOT, "| %d | %s | %.2f s | %.2f s | %.2f | %s | %s |%n", round + 1, aFirst ? "A, B" : "B, A",
                    ra.seconds, rb.seconds, ratio, ra.check, rb.check));
        }
        List<Double> sorted = new ArrayList<>(ratios);
        java.util.Collections.sort(sorted);
        double median = sorted.size() % 2 == 1 ? sorted.get(sorted.size() / 2)
                : (sorted.get(sorted.size() / 2 - 1) + sorted.get(sorted.size() / 2)) / 2;
        b.append(String.format(Locale.ROOT, "%n%,d subscribers. B/A of publish → last post: median **%.2f** over %d rounds, "
                + "spread %.2f–%.2f (below 1: B is faster).%n", runs.get(0).subscribers, median, ratios.size(), sorted.get(0),
                sorted.get(sorted.size() - 1)));
        return b.toString();
    }

    static String label(String variant) {
        return variant.equals("inline") ? "inline (one invocation)" : variant + " workers";
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
