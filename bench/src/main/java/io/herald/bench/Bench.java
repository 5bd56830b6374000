package io.herald.bench;

import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.topic.TopicPattern;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Herald's benchmark: starts the local stack jar, drives it with real WebSocket clients on
 * 127.0.0.1 (bounded in count and time) and writes docs/benchmarks.md with a latency chart.
 *
 * <pre>java -jar bench/target/herald-bench.jar [--scenario all|fanout|latency|coldstart|cost|memory|chat[,...]] [--runs 3]</pre>
 */
public final class Bench {
    static final AtomicLong SEQ = new AtomicLong();
    static final List<String> SCENARIOS = List.of("all", "fanout", "latency", "coldstart", "cost", "memory", "chat");
    final int runs;
    final Report report = new Report();
    /** Publishes and stats polls share one client (and its threads). */
    final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
    StackProcess stack;

    Bench(int runs) {
        this.runs = runs;
    }

    private static int number(String option, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a number, not '" + value + "'");
        }
    }

    public static void main(String[] args) throws Exception {
        String scenario = "all";
        int runs = 3;
        int port = 18090;
        try {
            if (args.length % 2 != 0) throw new IllegalArgumentException("option " + args[args.length - 1] + " needs a value");
            for (int i = 0; i + 1 < args.length; i += 2) {
                switch (args[i]) {
                    case "--scenario" -> scenario = args[i + 1];
                    case "--runs" -> runs = number(args[i], args[i + 1]);
                    case "--port" -> port = number(args[i], args[i + 1]);
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            for (String one : scenario.split(",")) {
                if (!SCENARIOS.contains(one)) throw new IllegalArgumentException("unknown scenario " + one);
            }
            if (runs < 1) throw new IllegalArgumentException("--runs must be at least 1");
        } catch (IllegalArgumentException e) {
            System.err.println("herald-bench: " + e.getMessage() + "\nusage: java -jar bench/target/herald-bench.jar"
                    + " [--scenario " + String.join("|", SCENARIOS) + "] [--runs 3] [--port 18090]");
            System.exit(2);
        }
        if (!Files.isRegularFile(Path.of("infra/local/target/herald-local.jar"))) {
            System.err.println("build first: mvn -B -q -DskipTests install (run from the repository root)");
            System.exit(2);
        }
        Bench b = new Bench(runs);
        try (StackProcess s = new StackProcess(port)) {
            b.stack = s;
            s.awaitQuiet(); // a stack still compiling its own startup would skew the first scenario
            // several in one stack, in this order: "fanout,latency" measures latency on a stack the fan-out warmed
            java.util.Set<String> chosen = java.util.Set.of(scenario.split(","));
            boolean all = chosen.contains("all");
            if (all || chosen.contains("fanout") || chosen.contains("memory")) b.fanOutAndMemory(chosen.contains("fanout") || all ? "fanout" : "memory");
            if (all || chosen.contains("latency")) b.latency();
            if (all || chosen.contains("coldstart")) b.coldStart();
            if (all || chosen.contains("cost")) b.cost();
            if (all || chosen.contains("chat")) b.chat();
        }
        if (scenario.equals("chat")) b.report.writeChatOnly(Path.of("docs/benchmarks.md")); // the other sections stay as measured
        else b.report.write(Path.of("docs/benchmarks.md"), Path.of("docs/benchmark-latency.png"), scenario, runs);
        System.out.println("wrote docs/benchmarks.md");
        System.exit(0);
    }

    // ------------------------------------------------------------------ 1 and 5: fan-out, memory

    /** -Dbench.idleMs=0 skips the pause (an A/B of fan-out times alone, where memory is not read). */
    static final long IDLE_BEFORE_MEMORY_MS = Long.getLong("bench.idleMs", 70_000);

    /** -Dbench.sizes=1000 runs the fan-out at these subscriber counts only (a profile or A/B of one size). */
    static final int[] FAN_OUT_SIZES = java.util.Arrays.stream(System.getProperty("bench.sizes", "100,1000,10000").split(","))
            .map(String::trim).mapToInt(Integer::parseInt).toArray();

    void fanOutAndMemory(String scenario) throws Exception {
        long heap0 = stack.heapUsedKb(), rss0 = stack.rssKb(); // heap first: its full GC lets the JVM uncommit
        for (int n : FAN_OUT_SIZES) {
            try (Clients c = new Clients()) {
                String topic = "bench.fanout.n" + n;
                c.open(stack.wsUrl, stack.token, n, 300, i -> topic);
                if (n == 10_000) {
                    // idle means idle: give the JVM's housekeeping its periods (G1's periodic collection, 30 s as
                    // the stack sets it; monitor deflation, 60 s) before reading what the connections cost
                    Thread.sleep(IDLE_BEFORE_MEMORY_MS);
                    long heap = stack.heapUsedKb(), rss = stack.rssKb();
                    report.memory(n, rss0, rss, heap0, heap);
                    if (System.getProperty("bench.stackJvm", "").contains("NativeMemoryTracking")) {
                        System.err.println(stack.nativeMemory());
                        System.err.println(stack.jcmd("GC.class_histogram").lines().limit(40).collect(java.util.stream.Collectors.joining("\n")));
                    }
                    if (scenario.equals("memory")) return;
                }
                List<Double> lastMs = new ArrayList<>(), medianMs = new ArrayList<>(), perSecond = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    long seq = SEQ.incrementAndGet();
                    long t0 = System.nanoTime();
                    publish(topic, seq);
                    Queue<Long> got = await(c, seq, n, 30_000);
                    List<Long> times = new ArrayList<>(got);
                    Collections.sort(times);
                    double last = (times.get(times.size() - 1) - t0) / 1e6;
                    lastMs.add(last);
                    medianMs.add((times.get(times.size() / 2) - t0) / 1e6);
                    perSecond.add(times.size() / (last / 1000));
                    if (times.size() < n) System.err.println("fan-out " + n + ": only " + times.size() + " delivered");
                }
                report.fanOut(n, lastMs, medianMs, perSecond);
            }
            settle();
        }
    }

    /**
     * Waits until the stack has closed the clients just dropped (its metrics' open connections) and
     * then until it is quiet: a closed socket leaves its $disconnect invocation queued, and a
     * scenario started on the count alone ran behind a thousand of them (stacks with metrics did,
     * older ones under A/B waited a fixed 20 s, so the comparison was unequal).
     */
    void settle() throws Exception {
        long deadline = System.currentTimeMillis() + 180_000;
        boolean closed = false;
        while (!closed && System.currentTimeMillis() < deadline) {
            if (!stackHasMetrics()) { // an older stack under A/B: no metrics to read, a fixed pause instead
                Thread.sleep(20_000);
                closed = true;
            } else if (metrics().path("apis").path("WebSocketApi").path("connections").asLong(-1) == 0) {
                closed = true;
            } else {
                Thread.sleep(500);
            }
        }
        if (!closed) System.err.println("the stack did not settle within 180 s");
        stack.awaitQuiet();
    }

    boolean stackHasMetrics() throws InterruptedException {
        try {
            return http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl + "/local/metrics")).timeout(java.time.Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The stack's GET /local/metrics: what CloudWatch would show. */
    com.fasterxml.jackson.databind.JsonNode metrics() throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl + "/local/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) throw new IllegalStateException("GET /local/metrics answered " + r.statusCode());
        return Json.parse(r.body());
    }

    /** The read units the stack's engine counted for one table so far. */
    double readUnits(String table) throws Exception {
        return metrics().path("tables").path(table).path("readCapacityUnits").asDouble();
    }

    static Queue<Long> await(Clients c, long seq, int expected, long timeoutMs) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMs;
        while (System.currentTimeMillis() < deadline) {
            Queue<Long> q = c.receipts.get(seq);
            if (q != null && q.size() >= expected) return q;
            Thread.sleep(2);
        }
        return c.receipts.getOrDefault(seq, new java.util.concurrent.ConcurrentLinkedQueue<>());
    }

    HttpResponse<String> publish(String topic, long seq) throws Exception {
        return http.send(publishRequest(topic, seq), HttpResponse.BodyHandlers.ofString());
    }

    HttpRequest publishRequest(String topic, long seq) {
        String body = "{\"type\":\"bench\",\"topics\":[\"" + topic + "\"],\"data\":{\"seq\":" + seq + "}}";
        return HttpRequest.newBuilder(URI.create(stack.httpUrl + "/publish")).header("Authorization", "Bearer " + stack.token)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    // ------------------------------------------------------------------ 2: latency under load

    void latency() throws Exception {
        int topics = 10, perTopic = 10, rate = 100, seconds = 30;
        try (Clients c = new Clients()) {
            c.open(stack.wsUrl, stack.token, topics * perTopic, 200, i -> "bench.latency.t" + (i % topics));
            for (int r = 0; r < runs; r++) {
                Map<Long, Long> sentAt = new ConcurrentHashMap<>();
                ScheduledExecutorService tick = Executors.newSingleThreadScheduledExecutor();
                AtomicLong count = new AtomicLong();
                tick.scheduleAtFixedRate(() -> {
                    if (count.incrementAndGet() > (long) rate * seconds) return;
                    long seq = SEQ.incrementAndGet();
                    sentAt.put(seq, System.nanoTime());
                    c.http.sendAsync(publishRequest("bench.latency.t" + (seq % topics), seq), HttpResponse.BodyHandlers.discarding());
                }, 0, 1_000_000 / rate, TimeUnit.MICROSECONDS);
                Thread.sleep(seconds * 1000L + 5_000);
                tick.shutdownNow();
                List<Double> latencies = new ArrayList<>();
                sentAt.forEach((seq, t0) -> {
                    Queue<Long> got = c.receipts.get(seq);
                    if (got != null) got.forEach(t -> latencies.add((t - t0) / 1e6));
                });
                Collections.sort(latencies);
                report.latency(latencies, (long) sentAt.size() * perTopic);
            }
        }
        settle();
    }

    // ------------------------------------------------------------------ 6: chat

    /** One run (bounded: about a minute): message:send → message:new at the recipient, units per message. */
    void chat() throws Exception {
        String loadBefore = Files.readString(Path.of("/proc/loadavg")).trim();
        try (ChatBench c = new ChatBench(stack)) {
            ChatBench.Result r = c.run(() -> {
                Map<String, double[]> units = new java.util.TreeMap<>();
                metrics().path("tables").fields().forEachRemaining(e -> units.put(e.getKey(),
                        new double[] {e.getValue().path("readCapacityUnits").asDouble(), e.getValue().path("writeCapacityUnits").asDouble()}));
                return units;
            });
            report.chat(r, loadBefore, Files.readString(Path.of("/proc/loadavg")).trim());
        }
        settle();
    }

    // ------------------------------------------------------------------ 3: cold start

    void coldStart() throws Exception {
        stack.awaitQuiet(); // the fresh JVMs share the 2 cores with the stack
        Path dir = Files.createTempDirectory("herald-cold");
        Path publish = dir.resolve("publish.json");
        Files.writeString(publish, "{\"type\":\"bench\",\"topics\":[\"bench.cold\"],\"data\":{\"seq\":0}}");
        Map<String, Path> cases = new LinkedHashMap<>();
        cases.put("ConnectHandler", Path.of("events/connect-token-query.json"));
        cases.put("MessageHandler", Path.of("events/message-topics-ping.json"));
        cases.put("PublishHandler", publish);
        cases.put("HttpApiHandler", Path.of("events/http-health.json"));
        cases.put("LifecycleHandler", Path.of("events/lifecycle-insert.json"));
        cases.put("DisconnectHandler", Path.of("events/disconnect.json"));
        Map<String, String> env = Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local",
                "AWS_ENDPOINT_URL_DYNAMODB", stack.dynamoEndpoint, "HERALD_CONNECTIONS_URL", stack.managementUrl,
                "HERALD_JWT_SECRET", "herald-local-development-secret-do-not-deploy", "HERALD_ALLOW_DEVELOPMENT_SECRET", "true",
                "HERALD_CONNECTIONS_TABLE", "ConnectionsTable",
                "HERALD_SUBSCRIPTIONS_TABLE", "SubscriptionsTable", "HERALD_LEDGER_TABLE", "LedgerTable");
        // rounds over all handlers rather than one handler's runs back to back: whatever else the
        // machine does at some moment then weighs on every handler alike
        Map<String, List<Double>> inJvm = new LinkedHashMap<>(), wall = new LinkedHashMap<>();
        for (int r = 0; r < Math.max(5, runs); r++) {
            for (Map.Entry<String, Path> e : cases.entrySet()) {
                ProcessBuilder pb = new ProcessBuilder(StackProcess.java(), "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                        "-cp", "functions/target/herald-functions.jar", "io.herald.functions.Invoke",
                        "io.herald.functions." + e.getKey(), e.getValue().toString()).redirectErrorStream(true);
                pb.environment().putAll(env);
                long t0 = System.nanoTime();
                Process p = pb.start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                p.waitFor(60, TimeUnit.SECONDS);
                wall.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
                int at = out.lastIndexOf("{\"coldStart\"");
                if (p.exitValue() != 0 || at < 0) throw new IllegalStateException(e.getKey() + " failed:\n" + out);
                inJvm.computeIfAbsent(e.getKey(), k -> new ArrayList<>())
                        .add(Json.parse(out.substring(at).trim()).path("coldStart").path("totalMs").asDouble());
            }
        }
        for (String handler : cases.keySet()) report.coldStart(handler, inJvm.get(handler), wall.get(handler));
        report.jarSize(Files.size(Path.of("functions/target/herald-functions.jar")));
    }

    // ------------------------------------------------------------------ 4: read cost per delivery

    void cost() throws Exception {
        DynamoDbClient ddb = DynamoDbClient.builder().endpointOverride(URI.create(stack.dynamoEndpoint)).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(UrlConnectionHttpClient.create()).build();
        DynamoDbConnectionStore connections = new DynamoDbConnectionStore(ddb, "ConnectionsTable");
        AtomicLong queries = new AtomicLong(), underBilled = new AtomicLong();
        DynamoDbSubscriptionStore subs = new DynamoDbSubscriptionStore(ddb, "SubscriptionsTable", "ConnectionsTable", 1, cc -> {
            queries.incrementAndGet();
            if (cc.capacityUnits() < 0.5) underBilled.incrementAndGet();
        });
        Instant now = Instant.now();
        int made = 0;
        for (int i = 0; i < 100; i++) add(connections, subs, gatewayId('s', i), "bench.cost", now);
        for (int unrelated : new int[] {100, 10_000}) {
            for (; made < unrelated; made++) add(connections, subs, gatewayId('o', made), "bench.other.t" + made, now);
            List<Double> perDelivery = new ArrayList<>();
            for (int r = 0; r < runs; r++) {
                queries.set(0);
                // the units as the table's metric shows them (the stack's engine counts every request)
                double before = readUnits("SubscriptionsTable");
                int found = subs.candidates("bench.cost", now).size();
                if (found != 100) throw new IllegalStateException("expected 100 candidates, got " + found);
                perDelivery.add((readUnits("SubscriptionsTable") - before) / 100);
            }
            // DynamoDB bills every Query at least 0.5 RCU (eventually consistent), and the engine reports it so;
            // a smaller figure would understate the cost, so it stops the run instead of being corrected here
            if (underBilled.get() > 0) {
                throw new IllegalStateException(underBilled.get() + " Queries reported under 0.5 RCU; DynamoDB bills at least 0.5 each");
            }
            report.cost(unrelated, perDelivery, queries.get()); // the Queries of the last run
        }
        ddb.close();
    }

    /** Ids as long as API Gateway's (16 characters), since item size is what a Query pays for. */
    private static String gatewayId(char kind, int n) {
        return String.format("%c%014d=", kind, n);
    }

    private static void add(DynamoDbConnectionStore cs, DynamoDbSubscriptionStore ss, String id, String topic, Instant now) {
        Connection c = new Connection(id, String.format("user-%05d", id.hashCode() & 0xffff), "topics", now, "127.0.0.1", "bench", Map.of(),
                now.plusSeconds(7200).getEpochSecond());
        cs.put(c);
        ss.add(c, SubscriptionSpec.of(TopicPattern.parse(topic)), 100, now);
    }
}
