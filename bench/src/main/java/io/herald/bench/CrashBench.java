package io.herald.bench;

import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * Issue 11's crash row: the local stack jar with {@code --data-dir}, under load (clients
 * connecting and subscribing, a backend publishing with ids), killed with SIGKILL
 * ({@code kill -9}: {@link Process#destroyForcibly()} on Linux) in the middle of it, then started
 * again on the same directory and port. Checks that everything acknowledged before the kill is
 * there: each acknowledged subscription's item (bucket {@code crash.t<i>}) and its connection's
 * item, and each acknowledged publication's id, completed in the ledger (published again, it is
 * answered as a duplicate and delivered to nobody).
 *
 * <pre>mvn -B -o -q package -DskipTests
 * java -cp bench/target/herald-bench.jar io.herald.bench.CrashBench [--clients 300] [--seconds 12] [--rounds 3]</pre>
 */
public final class CrashBench {
    public static void main(String[] args) throws Exception {
        int clients = 300, seconds = 12, rounds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--clients" -> clients = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (!Files.exists(Path.of("infra/local/target/herald-local.jar"))) throw new IllegalStateException("build first: mvn -B -o -q package -DskipTests");
        Path dir = Files.createTempDirectory("herald-crash");
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        List<String> cmd = StackProcess.command(List.of("-jar", "infra/local/target/herald-local.jar"), port, "--data-dir", dir.toString());
        int lostAll = 0;
        for (int round = 1; round <= rounds; round++) {
            // each round loads a stack started on the data the previous round's kill left
            lostAll += round(cmd, round, clients, seconds);
        }
        System.out.printf("CRASH %d rounds: %d acknowledged items lost in all%n", rounds, lostAll);
        System.exit(lostAll == 0 ? 0 : 1);
    }

    private static int round(List<String> cmd, int round, int n, int seconds) throws Exception {
        String prefix = "r" + round + "-";
        Set<Integer> subs;
        Map<Long, String> pubs;
        int posted, handshakesFailed;
        StackProcess stack = new StackProcess(cmd);
        stack.awaitQuiet(); // its own start-up compiling would slow the load, not the kill
        AtomicBoolean load = new AtomicBoolean(true);
        Map<Integer, Integer> refusals = new java.util.TreeMap<>();
        try (Subscribers clients = new Subscribers(); Publisher publisher = new Publisher(stack.httpUrl, stack.token, prefix, 1, 64)) {
            // clients keep connecting and subscribing, and the backend keeps publishing, until the kill
            Thread opener = new Thread(() -> {
                try {
                    clients.open(stack.wsUrl + "?token=" + stack.token, 0, n, Math.max(1, n / seconds), i -> topic(round, i), load::get);
                } catch (InterruptedException e) {
                    // the kill came
                }
            });
            opener.start();
            long start = System.nanoTime(), seq = 0;
            while (System.nanoTime() - start < TimeUnit.SECONDS.toNanos(seconds)) {
                List<Integer> ready = List.copyOf(clients.subscribed);
                if (!ready.isEmpty()) publisher.publish(seq++, topic(round, ready.get(ThreadLocalRandom.current().nextInt(ready.size()))));
                Thread.sleep(10);
            }
            // what was acknowledged before the kill, frozen at the moment of it
            load.set(false);
            stack.process.destroyForcibly();
            stack.process.waitFor();
            subs = Set.copyOf(clients.subscribed);
            pubs = Map.copyOf(publisher.acked);
            posted = (int) seq;
            handshakesFailed = clients.failedHandshakes.get();
            publisher.refusals.forEach((k, v) -> refusals.put(k, v.get()));
            opener.join(10_000);
        }
        long t0 = System.nanoTime();
        StackProcess again = new StackProcess(cmd);
        double restart = (System.nanoTime() - t0) / 1e9;
        int lostSubs = 0, lostConns = 0, lostPubs = 0, delivered = 0;
        boolean serving;
        try (DynamoDbClient ddb = EngineBench.client(URI.create(again.dynamoEndpoint))) {
            String subsTable = table(ddb, "Subscriptions"), connTable = table(ddb, "Connections");
            Map<String, String> connectionOf = new HashMap<>(); // bucket -> connection id
            ddb.scanPaginator(b -> b.tableName(subsTable)).items().forEach(i -> connectionOf.put(i.get("b").s(), i.get("c").s()));
            Set<String> connections = new HashSet<>();
            ddb.scanPaginator(b -> b.tableName(connTable)).items().forEach(i -> connections.add(i.get("connectionId").s()));
            for (int i : subs) {
                String c = connectionOf.get(topic(round, i));
                if (c == null) lostSubs++;
                else if (!connections.contains(c)) lostConns++;
            }
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            for (Map.Entry<Long, String> p : pubs.entrySet()) {
                var body = Json.object().put("type", "load").put("id", prefix + p.getKey());
                body.putArray("topics").add(p.getValue());
                body.putObject("data").put("seq", p.getKey());
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(again.httpUrl + "/publish"))
                        .header("Authorization", "Bearer " + again.token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(Json.write(body))).build(), HttpResponse.BodyHandlers.ofString());
                var result = Json.parse(r.body());
                if (r.statusCode() != 200 || !result.path("duplicate").asBoolean()) lostPubs++;
                delivered += result.path("delivered").asInt();
            }
            serving = serves(again, round);
        } finally {
            again.close();
        }
        System.out.printf("CRASH round %d: killed (SIGKILL) after %d s of load: %d subscriptions acknowledged (%d handshakes failed),"
                + " %d of %d publications acknowledged (not acknowledged by the kill: answers by status %s, 0 = none);"
                + " restarted on the same --data-dir in %.1f s, serving a new client: %s; lost: %d subscriptions, %d connections,"
                + " %d publication ids (published again: %d posts)%n", round, seconds, subs.size(), handshakesFailed,
                pubs.size(), posted, refusals, restart, serving, lostSubs, lostConns, lostPubs, delivered);
        return lostSubs + lostConns + lostPubs + (serving ? 0 : 1);
    }

    /** A new client subscribes and receives a new publication: the restarted stack serves. */
    private static boolean serves(StackProcess stack, int round) throws Exception {
        try (Subscribers one = new Subscribers(); Publisher p = new Publisher(stack.httpUrl, stack.token, "after-" + round + "-", 5, 1)) {
            one.open(stack.wsUrl + "?token=" + stack.token, 0, 1, 1, i -> "crash.after", () -> true);
            if (one.awaitSubscribed(1, 30) != 1) return false;
            p.publish(0, "crash.after");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (one.times(0, 0) == 0 && System.nanoTime() < deadline) Thread.sleep(100);
            return one.times(0, 0) == 1;
        }
    }

    private static String topic(int round, int client) {
        return "crash.r" + round + ".t" + client;
    }

    private static String table(DynamoDbClient ddb, String part) {
        return ddb.listTables().tableNames().stream().filter(t -> t.contains(part)).findFirst()
                .orElseThrow(() -> new IllegalStateException("no table named like " + part + ": " + ddb.listTables().tableNames()));
    }
}
