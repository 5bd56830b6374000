package io.herald.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/**
 * Herald's DynamoDB engine against dynalite, side by side in one run: start to first answer, idle
 * RSS, and throughput of PutItem, GetItem, a 100-item Query and TransactWriteItems with 1 and 16
 * concurrent clients. Each runs as a separate process on 127.0.0.1, driven by the same clients;
 * rounds rotate which goes first, so drift on this noisy machine hits all alike. A third process,
 * the floor ({@link io.herald.bench.floor.FloorServer}, a server that does no work), shows what
 * any JVM server reaches here: where a goal lies above it, no engine meets it on this machine.
 *
 * <pre>java -cp bench/target/herald-bench.jar io.herald.bench.EngineBench --dynalite DIR [--baseline ENGINE_JAR] [--rounds 3] [--seconds 3] [--out FILE]</pre>
 *
 * DIR is an installed dynalite package (npm install dynalite), e.g. /tmp/dynalite/node_modules/dynalite.
 */
public final class EngineBench {
    static final String[] OPS = {"PutItem", "GetItem", "Query100", "TransactWrite"};
    static final int[] CLIENTS = {1, 16};
    /** The SDK client (what applications use) and the raw one (what the engine alone can serve). */
    static final String[] CLIENT_KINDS = {"sdk", "raw"};

    /** The floor answers the same fixed 200 to anything: only the raw client's key-value calls compare with it. */
    static final Set<String> FLOOR_OPS = Set.of("PutItem", "GetItem");

    /**
     * A process to measure: {@code ops} it is asked for, and whether the SDK client can talk to it
     * (the floor's fixed answer is no SDK response).
     */
    record Engine(String name, List<String> command, Set<String> ops, boolean sdk) {
        Engine(String name, List<String> command) {
            this(name, command, Set.of(OPS), true);
        }
    }

    public static void main(String[] args) throws Exception {
        String dynalite = null;
        String baseline = null;
        int rounds = 3, seconds = 3;
        Path out = Path.of("docs/dynamodb-benchmark.md");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--dynalite" -> dynalite = args[++i];
                case "--baseline" -> baseline = args[++i];
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                default -> {
                    System.err.println("usage: EngineBench --dynalite DIR [--baseline ENGINE_JAR] [--rounds 3] [--seconds 3] [--out FILE]");
                    System.exit(2);
                }
            }
        }
        if (dynalite == null || !Files.exists(Path.of(dynalite, "cli.js"))) {
            System.err.println("EngineBench: --dynalite must name an installed dynalite package (the directory holding cli.js); npm install dynalite");
            System.exit(2);
        }
        Path jar = Path.of("infra/dynamodb/target/herald-dynamodb.jar");
        Path floorJar = Path.of("bench/target/herald-floor.jar");
        for (Path built : List.of(jar, floorJar)) {
            if (!Files.exists(built)) {
                System.err.println("EngineBench: " + built + " is missing; build first (mvn -B -q -DskipTests install)");
                System.exit(2);
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Engine> engines = new ArrayList<>(List.of(
                new Engine("herald", List.of(java, "-jar", jar.toString(), "--port", "PORT")),
                new Engine("dynalite", List.of("node", Path.of(dynalite, "cli.js").toString(), "--port", "PORT"), Set.of("PutItem", "GetItem", "Query100"), true),
                new Engine("floor", List.of(java, "-jar", floorJar.toString(), "--port", "PORT"), FLOOR_OPS, false)));
        if (baseline != null) {
            // an earlier build of the engine, for an A/B of a change in the same run
            if (!Files.exists(Path.of(baseline))) {
                System.err.println("EngineBench: --baseline " + baseline + " does not exist");
                System.exit(2);
            }
            engines.add(new Engine("baseline", List.of(java, "-jar", baseline, "--port", "PORT")));
        }

        Map<String, List<Double>> startMs = new LinkedHashMap<>();
        Map<String, List<Double>> idleRss = new LinkedHashMap<>();
        Map<String, List<Double>> loadedRss = new LinkedHashMap<>();
        Map<String, List<Double>> rates = new LinkedHashMap<>(); // engine|op|clients → ops/s per round
        for (int r = 0; r < rounds; r++) {
            List<Engine> order = new ArrayList<>(engines);
            Collections.rotate(order, r); // each engine takes its turn at going first
            for (Engine e : order) {
                int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
                List<String> cmd = e.command.stream().map(s -> s.equals("PORT") ? Integer.toString(port) : s).toList();
                long t0 = System.nanoTime();
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                try {
                    URI endpoint = URI.create("http://127.0.0.1:" + port);
                    awaitFirstAnswer(endpoint, p);
                    startMs.computeIfAbsent(e.name, k -> new ArrayList<>()).add((System.nanoTime() - t0) / 1e6);
                    Thread.sleep(2000);
                    idleRss.computeIfAbsent(e.name, k -> new ArrayList<>()).add(rssMb(p.pid()));
                    try (DynamoDbClient ddb = client(endpoint)) {
                        if (e.sdk) setUp(ddb);
                        else runRaw(port, "GetItem", 16, seconds); // not measured: the others are warm from setUp and the SDK rows
                        for (String op : OPS) {
                            if (!e.ops.contains(op)) continue; // dynalite has no transactions; the floor answers key-value calls only
                            for (String kind : CLIENT_KINDS) {
                                if (kind.equals("sdk") && !e.sdk) continue;
                                for (int c : CLIENTS) {
                                    double rate = kind.equals("sdk") ? run(ddb, op, c, seconds) : runRaw(port, op, c, seconds);
                                    rates.computeIfAbsent(e.name + "|" + kind + "|" + op + "|" + c, k -> new ArrayList<>()).add(rate);
                                    System.out.printf("round %d %-8s %-3s %-13s %2d clients %8.0f ops/s%n", r + 1, e.name, kind, op, c, rate);
                                }
                            }
                        }
                    }
                    loadedRss.computeIfAbsent(e.name, k -> new ArrayList<>()).add(rssMb(p.pid()));
                } finally {
                    p.destroy();
                    p.waitFor();
                }
            }
        }
        String md = report(rounds, seconds, engines.stream().map(Engine::name).toList(), startMs, idleRss, loadedRss, rates);
        Files.writeString(out, md);
        System.out.println(md);
    }

    static DynamoDbClient client(URI endpoint) {
        return DynamoDbClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("bench", "bench")))
                .httpClient(UrlConnectionHttpClient.builder().build()).build();
    }

    static void awaitFirstAnswer(URI endpoint, Process p) throws Exception {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(200)).build();
        HttpRequest req = HttpRequest.newBuilder(endpoint).header("X-Amz-Target", "DynamoDB_20120810.ListTables")
                .header("Content-Type", "application/x-amz-json-1.0").header("X-Amz-Date", "20260101T000000Z").header("Authorization", "AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) throw new IllegalStateException("engine exited with " + p.exitValue());
            try {
                if (http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
            } catch (IOException notYet) {
                // not listening yet
            }
            Thread.sleep(2);
        }
        throw new IllegalStateException("no answer within 30 s");
    }

    static double rssMb(long pid) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
        }
        return Double.NaN;
    }

    static void setUp(DynamoDbClient ddb) {
        ddb.createTable(b -> b.tableName("bench_kv").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH)));
        ddb.createTable(b -> b.tableName("bench_q").billingMode(BillingMode.PAY_PER_REQUEST)
                .attributeDefinitions(a -> a.attributeName("pk").attributeType(ScalarAttributeType.S), a -> a.attributeName("sk").attributeType(ScalarAttributeType.N))
                .keySchema(k -> k.attributeName("pk").keyType(KeyType.HASH), k -> k.attributeName("sk").keyType(KeyType.RANGE)));
        waitActive(ddb, "bench_kv");
        waitActive(ddb, "bench_q");
        for (int i = 0; i < 1000; i++) ddb.putItem(b -> b.tableName("bench_kv").item(item(ThreadLocalRandom.current(), -1)));
        for (int i = 0; i < 100; i++) {
            int sk = i;
            ddb.putItem(b -> b.tableName("bench_q").item(Map.of("pk", AttributeValue.fromS("p"), "sk", AttributeValue.fromN(Integer.toString(sk)),
                    "v", AttributeValue.fromS("x".repeat(100)))));
        }
    }

    static void waitActive(DynamoDbClient ddb, String table) {
        for (int i = 0; i < 200; i++) {
            if (ddb.describeTable(b -> b.tableName(table)).table().tableStatusAsString().equals("ACTIVE")) return;
            try {
                Thread.sleep(25);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Keys k0..k999 so GetItem always finds one; 100 bytes of payload. */
    static Map<String, AttributeValue> item(ThreadLocalRandom rnd, int key) {
        int k = key >= 0 ? key : rnd.nextInt(1000);
        return Map.of("pk", AttributeValue.fromS("k" + k), "v", AttributeValue.fromS("x".repeat(100)), "n", AttributeValue.fromN(Integer.toString(rnd.nextInt())));
    }

    /** One client thread's work: a request per call, made until the load stops. */
    interface Worker extends AutoCloseable {
        void request(ThreadLocalRandom rnd) throws Exception;

        @Override
        default void close() throws Exception {}
    }

    interface WorkerFactory {
        Worker open() throws Exception;
    }

    static double run(DynamoDbClient ddb, String op, int clients, int seconds) throws Exception {
        return load(() -> rnd -> sdkRequest(ddb, op, rnd), clients, seconds);
    }

    static double runRaw(int port, String op, int clients, int seconds) throws Exception {
        return load(() -> {
            RawDynamoClient raw = new RawDynamoClient("127.0.0.1", port);
            return new Worker() {
                @Override
                public void request(ThreadLocalRandom rnd) throws Exception {
                    int status = rawRequest(raw, op, rnd);
                    // a transaction conflict under load (400) is not a benchmark failure
                    if (status != 200 && !op.equals("TransactWrite")) throw new IllegalStateException(op + " answered " + status);
                }

                @Override
                public void close() throws Exception {
                    raw.close();
                }
            };
        }, clients, seconds);
    }

    static int rawRequest(RawDynamoClient raw, String op, ThreadLocalRandom rnd) throws Exception {
        String value = "x".repeat(100);
        return switch (op) {
            case "PutItem" -> raw.call("PutItem", "{\"TableName\":\"bench_kv\",\"Item\":" + rawItem(rnd.nextInt(1000), value, rnd) + "}");
            case "GetItem" -> raw.call("GetItem", "{\"TableName\":\"bench_kv\",\"Key\":{\"pk\":{\"S\":\"k" + rnd.nextInt(1000) + "\"}}}");
            case "Query100" -> raw.call("Query", "{\"TableName\":\"bench_q\",\"KeyConditionExpression\":\"pk = :p\","
                    + "\"ExpressionAttributeValues\":{\":p\":{\"S\":\"p\"}}}");
            default -> {
                int a = rnd.nextInt(1000), c = (a + 1 + rnd.nextInt(998)) % 1000;
                yield raw.call("TransactWriteItems", "{\"TransactItems\":[{\"Put\":{\"TableName\":\"bench_kv\",\"Item\":" + rawItem(a, value, rnd)
                        + "}},{\"Put\":{\"TableName\":\"bench_kv\",\"Item\":" + rawItem(c, value, rnd) + "}}]}");
            }
        };
    }

    static String rawItem(int key, String value, ThreadLocalRandom rnd) {
        return "{\"pk\":{\"S\":\"k" + key + "\"},\"v\":{\"S\":\"" + value + "\"},\"n\":{\"N\":\"" + rnd.nextInt() + "\"}}";
    }

    static void sdkRequest(DynamoDbClient ddb, String op, ThreadLocalRandom rnd) {
        switch (op) {
            case "PutItem" -> ddb.putItem(b -> b.tableName("bench_kv").item(item(rnd, -1)));
            case "GetItem" -> ddb.getItem(b -> b.tableName("bench_kv").key(Map.of("pk", AttributeValue.fromS("k" + rnd.nextInt(1000)))));
            case "Query100" -> ddb.query(b -> b.tableName("bench_q").keyConditionExpression("pk = :p")
                    .expressionAttributeValues(Map.of(":p", AttributeValue.fromS("p"))));
            default -> {
                int a = rnd.nextInt(1000), c = (a + 1 + rnd.nextInt(998)) % 1000;
                ddb.transactWriteItems(b -> b.transactItems(t -> t.put(p -> p.tableName("bench_kv").item(item(rnd, a))),
                        t -> t.put(p -> p.tableName("bench_kv").item(item(rnd, c)))));
            }
        }
    }

    static double load(WorkerFactory factory, int clients, int seconds) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong done = new AtomicLong();
        List<Future<?>> fs = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            fs.add(pool.submit(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                try (Worker w = factory.open()) {
                    while (!stop.get()) {
                        w.request(rnd);
                        done.incrementAndGet();
                    }
                }
                return null;
            }));
        }
        Thread.sleep(500); // warm-up, not counted
        long start = done.get();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long n = done.get() - start;
        double elapsed = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Future<?> f : fs) {
            try {
                f.get();
            } catch (Exception e) {
                // a transaction conflict under load is not a benchmark failure
            }
        }
        pool.shutdown();
        return n / elapsed;
    }

    static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        Collections.sort(s);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    static String spread(List<Double> xs, String fmt) {
        return String.format(fmt, median(xs)) + " (" + String.format(fmt, Collections.min(xs)) + "–" + String.format(fmt, Collections.max(xs)) + ")";
    }

    static String report(int rounds, int seconds, List<String> names, Map<String, List<Double>> start, Map<String, List<Double>> idle,
            Map<String, List<Double>> loaded, Map<String, List<Double>> rates) {
        // each ratio divides the first process's figure by the second's, per round
        List<List<String>> ratios = new ArrayList<>(List.of(List.of("herald", "dynalite")));
        if (names.contains("baseline")) ratios.add(List.of("herald", "baseline"));
        ratios.add(List.of("herald", "floor"));
        ratios.add(List.of("floor", "dynalite"));
        StringBuilder b = new StringBuilder();
        b.append("# DynamoDB engine: Herald's engine against dynalite\n\n");
        b.append("Generated by `java -cp bench/target/herald-bench.jar io.herald.bench.EngineBench --dynalite DIR --rounds ").append(rounds)
                .append(" --seconds ").append(seconds).append(names.contains("baseline") ? " --baseline JAR" : "")
                .append("` on this project's 2-core machine. The engines run as processes on 127.0.0.1, in memory, ")
                .append("driven by the same clients: the Java SDK v2 client (URLConnection HTTP client), as applications use it, and a raw keep-alive HTTP client that writes prepared requests and skips the answers (`RawDynamoClient`), which shows what the engine alone serves; rounds rotate which engine runs first. ")
                .append("The floor (`bench/target/herald-floor.jar`, `FloorServer`) is a JVM server that does no work: it reads each request as the engine's front end does and answers a fixed GetItem-sized 200, so it shows the most any JVM server reaches here with the same client. ")
                .append("Median of ").append(rounds).append(" rounds, spread (min–max) in brackets. The client shares the two cores with the engine, ")
                .append("so absolute rates are the client's and engine's together; the ratios are what compare. Ratios of rates above 1 mean the first is faster; of times, below 1.\n\n");
        b.append("| measure |");
        for (String n : names) b.append(' ').append(label(n)).append(" |");
        for (List<String> r : ratios) b.append(' ').append(label(r.get(0)).split(" ")[0]).append(" / ").append(label(r.get(1)).split(" ")[0]).append(" |");
        b.append("\n|---|").append("---|".repeat(names.size() + ratios.size())).append("\n");
        row(b, "start to first answer (ms)", names, ratios, n -> start.get(n), true);
        row(b, "RSS idle after start (MB)", names, ratios, n -> idle.get(n), false);
        row(b, "RSS after the load (MB)", names, ratios, n -> loaded.get(n), false);
        for (String kind : CLIENT_KINDS) {
            for (String op : OPS) {
                for (int c : CLIENTS) {
                    String key = "|" + kind + "|" + op + "|" + c;
                    row(b, op + ", " + c + (c == 1 ? " client" : " clients") + ", " + kind + " client (ops/s)", names, ratios, n -> rates.get(n + key), true);
                }
            }
        }
        return b.toString();
    }

    static String label(String name) {
        return switch (name) {
            case "herald" -> "Herald engine";
            case "baseline" -> "baseline (earlier engine build)";
            case "floor" -> "floor (no-work server)";
            default -> name;
        };
    }

    /** One measure: each process's median and spread ("—" where it was not measured), then the ratios. */
    static void row(StringBuilder b, String measure, List<String> names, List<List<String>> ratios,
            java.util.function.Function<String, List<Double>> figures, boolean withRatios) {
        b.append("| ").append(measure).append(" |");
        for (String n : names) {
            List<Double> f = figures.apply(n);
            b.append(' ').append(f == null ? "—" : spread(f, "%.0f")).append(" |");
        }
        for (List<String> r : ratios) {
            List<Double> x = figures.apply(r.get(0));
            List<Double> y = figures.apply(r.get(1));
            b.append(' ').append(withRatios && x != null && y != null ? ratioSpread(x, y) : "").append(" |");
        }
        b.append("\n");
    }

    /** Median ratio of per-round rates, with its own spread. */
    static String ratioSpread(List<Double> h, List<Double> d) {
        List<Double> r = new ArrayList<>();
        for (int i = 0; i < Math.min(h.size(), d.size()); i++) r.add(h.get(i) / d.get(i));
        return spread(r, "%.2f") + "×";
    }
}
