package io.herald.local;

import java.util.concurrent.CountDownLatch;

/** {@code java -jar herald-local.jar}: start, print where everything is, run until Ctrl-C. */
public final class Main {
    private Main() {}

    public static void main(String[] args) throws Exception {
        LocalOptions options;
        try {
            options = LocalOptions.parse(args, System.getenv());
        } catch (LocalOptions.HelpRequested h) {
            System.out.print(LocalOptions.USAGE);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("herald-local: " + e.getMessage());
            System.exit(2);
            return;
        }
        if (!java.nio.file.Files.isRegularFile(options.template())) {
            System.err.println("herald-local: template " + options.template().toAbsolutePath()
                    + " not found; run from the repository root or pass --template FILE");
            System.exit(2);
        }
        io.herald.dynamodb.HeapReturn.apply();
        LocalStack stack = new LocalStack(options);
        try {
            stack.start();
        } catch (IllegalArgumentException e) {
            // a --param or --profile the template does not accept: the user's input, said as such
            System.err.println("herald-local: " + e.getMessage());
            System.exit(2); // start() has closed what it had started
        } catch (java.io.IOException | java.io.UncheckedIOException | IllegalStateException e) {
            // a --data-dir the engine cannot use (files DynamoDB Local left when earlier releases
            // embedded it, a corrupt journal), a kept table that differs from the template, a port
            // in use: the message says which
            System.err.println("herald-local: cannot start: " + e.getMessage());
            System.exit(1);
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            System.out.println("\nherald-local: closing sockets (1001) and stopping");
            stack.close();
            stopped.countDown();
        }, "herald-shutdown"));
        System.out.printf("""
                Herald local stack is running (profile %s, template %s)

                  WebSocket API    %s
                  Management API   %s/@connections/{connectionId}
                  HTTP API         %s  (POST /publish, GET /stats, GET /health)
                  EventBridge      %s  (EventBridgeClient endpointOverride)
                  Console          %s/
                  Metrics          %s/local/metrics
                %s
                DynamoDB  %s
                %s
                Demo token (user %s, scope herald:publish, valid 24 h):
                %s

                Try:  wscat -c "%s?token=<token>"   then   {"type":"subscribe","topic":"messages.**"}
                Ctrl-C stops.
                """, options.profile(), options.template(), stack.webSocketUrl(), stack.managementEndpoint(),
                stack.httpUrl(), stack.httpUrl(), stack.httpUrl(), stack.httpUrl(), apiLines(stack), stack.dynamoEndpoint(), queueLines(stack), LocalStack.DEMO_USER,
                stack.demoToken(), stack.webSocketUrl());
        stack.warmUpDelivery();
        stopped.await();
    }

    /** One line per WebSocket API of the template at its own path, {@code   WebSocket API    <url>  (<LogicalId>)}. */
    static String apiLines(LocalStack stack) {
        StringBuilder b = new StringBuilder();
        stack.webSocketApiUrls().forEach((id, url) -> b.append("  WebSocket API    ").append(url).append("  (").append(id).append(")\n"));
        return b.toString();
    }

    /** One line per template queue, {@code SQS  <LogicalId>  <queue URL>}, in template order. */
    static String queueLines(LocalStack stack) {
        StringBuilder b = new StringBuilder();
        stack.queueUrls().forEach((id, url) -> b.append("SQS  ").append(id).append("  ").append(url).append('\n'));
        return b.toString();
    }
}
