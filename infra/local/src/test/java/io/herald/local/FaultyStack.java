package io.herald.local;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The local stack whose Management API answers 500 or 503 to a share of the calls, at random:
 * the load benchmark's fault injection ({@code io.herald.bench.LoadBench}), kept out of the
 * shipped jar. Takes the local stack's options and prints its banner lines; every second it
 * writes {@code injected calls} to the file named by {@code -Dherald.faultsFile}.
 *
 * <pre>java -Dherald.faults=0.01 -Dherald.faultsFile=F -cp infra/local/target/herald-local.jar:infra/local/target/test-classes \
 *     io.herald.local.FaultyStack --port 18091</pre>
 */
public final class FaultyStack {
    private FaultyStack() {}

    public static void main(String[] args) throws Exception {
        double rate = Double.parseDouble(System.getProperty("herald.faults", "0.01"));
        Path file = Path.of(System.getProperty("herald.faultsFile", "faults.txt"));
        LocalStack stack = new LocalStack(LocalOptions.parse(args, System.getenv())).start();
        AtomicLong calls = new AtomicLong(), injected = new AtomicLong();
        stack.managementFaults(id -> {
            calls.incrementAndGet();
            ThreadLocalRandom r = ThreadLocalRandom.current();
            if (r.nextDouble() >= rate) return 0;
            injected.incrementAndGet();
            return r.nextBoolean() ? 500 : 503;
        });
        Thread writer = new Thread(() -> {
            while (true) {
                try {
                    Files.writeString(file, injected.get() + " " + calls.get() + "\n");
                    Thread.sleep(1000);
                } catch (Exception e) {
                    return;
                }
            }
        }, "faults-file");
        writer.setDaemon(true);
        writer.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stack.close();
            stopped.countDown();
        }));
        System.out.printf("Herald local stack with %.1f %% Management API faults%n  WebSocket API    %s%n  Management API   %s/@connections/{connectionId}%n"
                + "  HTTP API         %s%nDynamoDB  %s%nDemo token%n%s%n", rate * 100, stack.webSocketUrl(), stack.managementEndpoint(),
                stack.httpUrl(), stack.dynamoEndpoint(), stack.demoToken());
        stopped.await();
    }
}
