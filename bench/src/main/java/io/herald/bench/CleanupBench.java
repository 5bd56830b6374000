package io.herald.bench;

import io.herald.aws.dynamodb.DynamoDbConnectionStore;
import io.herald.aws.dynamodb.DynamoDbConnectionSweeper;
import io.herald.aws.dynamodb.DynamoDbQuotas;
import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.aws.dynamodb.DynamoDbStats;
import io.herald.aws.dynamodb.DynamoDbSubscriptionStore;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.Connection;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.HeraldConfig;
import io.herald.core.store.ConnectionSweeper;
import io.herald.core.topic.TopicPattern;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Issue 11, item 5: forgetting N gone connections (ConnectionRegistry.forgetAll, as a fan-out
 * does after N answers of 410), one by one ({@code ConnectionSweeper.ONE_BY_ONE}: the code before
 * the batches, still the path for contested connections) against in batches
 * ({@link DynamoDbConnectionSweeper}), A/B interleaved in one run, each round on fresh tables of
 * Herald's DynamoDB engine in its own process. Each connection has its own address (a per-IP
 * quota of its own: the worst case for the quota releases) and one subscription, as a fan-out's
 * subscribers have. Every round checks that no row is left and the counters are back to zero.
 *
 * <pre>java -cp bench/target/herald-bench.jar io.herald.bench.CleanupBench [--connections 5000] [--rounds 3]</pre>
 *
 * Build first: {@code mvn -B -o -q package -DskipTests}.
 */
public final class CleanupBench {
    private static final ConnectionNotifier NOTHING = new ConnectionNotifier() {
        @Override
        public Outcome post(String connectionId, byte[] payload) {
            throw new IllegalStateException("cleanup posts nothing");
        }

        @Override
        public Outcome disconnect(String connectionId) {
            throw new IllegalStateException("cleanup closes nothing");
        }
    };

    public static void main(String[] args) throws Exception {
        int n = 5_000, rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> n = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        System.setProperty("http.maxConnections", "256"); // the SDK's URL-connection client: keep the 32 in flight alive
        Path jar = Path.of("infra/dynamodb/target/herald-dynamodb.jar");
        if (!Files.exists(jar)) throw new IllegalStateException(jar + " is missing; build first (mvn -B -o -q package -DskipTests)");
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        Process engine = new ProcessBuilder(StackProcess.java(), "-Xmx2g", "-jar", jar.toString(), "--port", Integer.toString(port))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int concurrency = HeraldConfig.defaults().fanoutConcurrency();
        Delivery delivery = new Delivery(NOTHING, RetryPolicy.DEFAULT, concurrency);
        Map<String, List<Double>> seconds = new LinkedHashMap<>(Map.of("one by one", new ArrayList<>(), "batched", new ArrayList<>()));
        try {
            URI endpoint = URI.create("http://127.0.0.1:" + port);
            EngineBench.awaitFirstAnswer(endpoint, engine);
            try (DynamoDbClient ddb = EngineBench.client(endpoint)) {
                run(ddb, "warm-a", 500, false, delivery); // JIT and connections, discarded
                run(ddb, "warm-b", 500, true, delivery);
                for (int r = 0; r < rounds; r++) {
                    // the order alternates, so drift on a noisy machine hits both alike
                    for (boolean batched : r % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                        double s = run(ddb, "r" + r + (batched ? "b" : "s"), n, batched, delivery);
                        seconds.get(batched ? "batched" : "one by one").add(s);
                        System.out.printf("round %d  %-10s %,d gone connections forgotten in %6.2f s%n", r + 1,
                                batched ? "batched" : "one by one", n, s);
                    }
                }
            }
        } finally {
            engine.destroy();
            engine.waitFor();
        }
        List<Double> a = seconds.get("one by one"), b = seconds.get("batched");
        double[] ratios = new double[a.size()];
        for (int i = 0; i < a.size(); i++) ratios[i] = a.get(i) / b.get(i);
        Arrays.sort(ratios);
        System.out.printf("CLEANUP %,d gone connections, concurrency %d, %d rounds: one by one %s s, batched %s s;"
                + " speed-up per round %s (median %.1fx)%n", n, concurrency, rounds, list(a), list(b),
                Arrays.toString(Arrays.stream(ratios).map(x -> Math.round(x * 10) / 10.0).toArray()), ratios[ratios.length / 2]);
        System.exit(0);
    }

    private static String list(List<Double> xs) {
        return xs.stream().map(x -> String.format("%.2f", x)).toList().toString();
    }

    /** Fresh tables, {@code n} connections with a subscription each; returns the seconds forgetAll took. */
    static double run(DynamoDbClient ddb, String name, int n, boolean batched, Delivery delivery) throws Exception {
        String connections = "connections-" + name, subscriptions = "subscriptions-" + name, ledger = "ledger-" + name;
        DynamoDbSchema.all(connections, subscriptions, ledger).forEach(ddb::createTable);
        ConnectionRegistry registry = new ConnectionRegistry(new DynamoDbConnectionStore(ddb, connections),
                new DynamoDbSubscriptionStore(ddb, subscriptions, connections), new DynamoDbStats(ddb, ledger), new DynamoDbQuotas(ddb, ledger));
        registry.sweepWith(batched ? new DynamoDbConnectionSweeper(ddb, connections, subscriptions) : ConnectionSweeper.ONE_BY_ONE);
        Instant opened = Instant.now().minusSeconds(60);
        List<String> ids = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                String id = String.format("%s-%06d=", name, i);
                ids.add(id);
                String ip = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
                fs.add(pool.submit(() -> {
                    Connection c = new Connection(id, "user-" + id, "topics", opened, ip, "bench", Map.of(),
                            opened.plus(Duration.ofHours(2)).getEpochSecond());
                    if (!registry.register(c, 100, opened)) throw new IllegalStateException("refused " + id);
                    registry.subscribe(c, SubscriptionSpec.of(TopicPattern.parse("gone.t")), 100, opened);
                    return null;
                }));
            }
            for (Future<?> f : fs) f.get();
        } finally {
            pool.shutdownNow();
        }
        long t0 = System.nanoTime();
        List<String> failed = registry.forgetAll(ids, delivery::forEach);
        double s = (System.nanoTime() - t0) / 1e9;
        int rows = ddb.scan(b -> b.tableName(connections).select("COUNT")).count() + ddb.scan(b -> b.tableName(subscriptions).select("COUNT")).count();
        long counted = registry.stats().read().getOrDefault("connections", 0L) + registry.stats().read().getOrDefault("subscriptions", 0L);
        if (!failed.isEmpty() || rows != 0 || counted != 0) {
            throw new IllegalStateException(name + ": " + failed.size() + " failed, " + rows + " rows left, counters at " + counted);
        }
        List.of(connections, subscriptions, ledger).forEach(t -> ddb.deleteTable(b -> b.tableName(t)));
        return s;
    }
}
