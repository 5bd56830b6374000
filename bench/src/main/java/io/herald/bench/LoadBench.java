package io.herald.bench;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Issue 11's load row: {@code --connections} real WebSocket clients (10,000) on 127.0.0.1, client
 * i subscribed to {@code load.t(i mod --topics)}; {@code --rate} publications a second (100) for
 * {@code --seconds} (60) over {@code POST /publish}, each to one topic; the Management API failing
 * {@code --faults} (1 %) of its posts with 500 or 503 ({@code io.herald.local.FaultyStack}, the
 * local stack from the test tree with the fault injection). Counts every (publication, subscriber)
 * pair that should have arrived and did not, and those that arrived twice.
 *
 * <pre>mvn -B -o -q package -DskipTests
 * java -cp bench/target/herald-bench.jar io.herald.bench.LoadBench [--connections 10000] [--topics 1000]
 *     [--rate 100] [--seconds 60] [--faults 0.01]</pre>
 */
public final class LoadBench {
    public static void main(String[] args) throws Exception {
        int connections = 10_000, topics = 1_000, rate = 100, seconds = 60;
        double faults = 0.01;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--connections" -> connections = Integer.parseInt(args[++i]);
                case "--topics" -> topics = Integer.parseInt(args[++i]);
                case "--rate" -> rate = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--faults" -> faults = Double.parseDouble(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        Path classes = Path.of("infra/local/target/test-classes/io/herald/local/FaultyStack.class");
        if (!Files.exists(classes) || !Files.exists(Path.of("infra/local/target/herald-local.jar"))) {
            throw new IllegalStateException("build first: mvn -B -o -q package -DskipTests (the local stack jar and its test classes)");
        }
        Path faultsFile = Files.createTempFile("herald-faults", ".txt");
        int port = 20000 + ThreadLocalRandom.current().nextInt(20000);
        List<String> cmd = StackProcess.command(List.of("-Dherald.faults=" + faults, "-Dherald.faultsFile=" + faultsFile,
                "-cp", "infra/local/target/herald-local.jar" + File.pathSeparator + "infra/local/target/test-classes",
                "io.herald.local.FaultyStack"), port);
        int topicCount = topics;
        try (StackProcess stack = new StackProcess(cmd); Subscribers clients = new Subscribers();
                Publisher publisher = new Publisher(stack.httpUrl, stack.token, "load-", 30, 64)) {
            stack.awaitQuiet();
            long t0 = System.nanoTime();
            clients.open(stack.wsUrl + "?token=" + stack.token, 0, connections, 300, i -> "load.t" + (i % topicCount), () -> true);
            int subscribed = clients.awaitSubscribed(connections, 180);
            System.out.printf("%,d of %,d clients subscribed in %.0f s (%d handshakes failed)%n", subscribed, connections,
                    (System.nanoTime() - t0) / 1e9, clients.failedHandshakes.get());

            long total = (long) rate * seconds, interval = TimeUnit.SECONDS.toNanos(1) / rate, start = System.nanoTime();
            for (long seq = 0; seq < total; seq++) {
                while (System.nanoTime() < start + seq * interval) Thread.onSpinWait();
                publisher.publish(seq, "load.t" + (seq % topicCount));
            }
            // a backend keeps at most 64 publications waiting for their answer: the local stack runs every
            // concurrent invocation of a function in one container, on the threads that also serve its
            // Management API, so 200 waiting publications would hold every thread their posts need
            double publishing = (System.nanoTime() - start) / 1e9;
            boolean idle = publisher.awaitIdle(300);
            double acking = (System.nanoTime() - start) / 1e9;

            // wait for the frames: until every expected pair arrived, or nothing new for 15 s
            long expected = 0;
            for (long seq : publisher.acked.keySet()) expected += subscribersOf(seq, topicCount, connections, clients);
            int last = -1;
            long quietSince = System.nanoTime();
            while (System.nanoTime() - quietSince < TimeUnit.SECONDS.toNanos(15)) {
                int now = clients.received.size();
                if (now != last) {
                    last = now;
                    quietSince = System.nanoTime();
                }
                if (now >= expected) break;
                Thread.sleep(500);
            }
            long lost = 0, repeated = 0, arrived = 0;
            for (long seq : publisher.acked.keySet()) {
                for (int c = (int) (seq % topicCount); c < connections; c += topicCount) {
                    if (!clients.subscribed.contains(c)) continue;
                    int n = clients.times(seq, c);
                    if (n == 0) lost++;
                    else {
                        arrived++;
                        repeated += n - 1;
                    }
                }
            }
            String[] f = Files.readString(faultsFile).trim().split(" ");
            Map<Integer, Integer> refusals = new TreeMap<>();
            publisher.refusals.forEach((k, v) -> refusals.put(k, v.get()));
            System.out.printf("LOAD %,d connections (%,d subscribed), %,d topics; %,d publications at %d/s over %.1f s"
                    + " (all answered after %.1f s: %s); acknowledged %,d, gave up %d, answered as duplicates %d, refusals by status %s;"
                    + " Management API: %s of %s posts failed with 500/503 (%.2f %%); expected deliveries %,d, arrived %,d,"
                    + " lost %,d, repeated %,d%n", connections, subscribed, topicCount, total, rate, publishing, acking, idle,
                    publisher.acked.size(), publisher.gaveUp.size(), publisher.duplicates.get(), refusals, f[0], f[1],
                    100.0 * Long.parseLong(f[0]) / Math.max(1, Long.parseLong(f[1])), expected, arrived, lost, repeated);
        }
        System.exit(0);
    }

    private static int subscribersOf(long seq, int topics, int connections, Subscribers clients) {
        int n = 0;
        for (int c = (int) (seq % topics); c < connections; c += topics) if (clients.subscribed.contains(c)) n++;
        return n;
    }
}
