package io.herald.local;

import io.herald.aws.apigateway.ApiGatewayNotifier;
import io.herald.aws.http.SignedHttp;
import io.herald.core.delivery.ConnectionNotifier.Outcome;
import io.herald.local.gateway.HttpIo;
import io.herald.local.gateway.WebSocketGateway;
import java.util.EnumMap;
import java.util.Map;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Sends a few thousand signed PostToConnection-shaped requests to a sink on the stack's own HTTP
 * port, on a background thread right after start, so that the first real publications run on
 * compiled code instead of paying for the JIT.
 *
 * <p>Why the stack needs it: a publication posts once per subscriber through the functions'
 * signed HTTP client and the gateway's Jetty request path. While DynamoDB Local was embedded it
 * served its requests on the same Jetty, so the connects before a first publication had already
 * compiled that path; Herald's own engine has its own HTTP server, and the first publications after
 * a start were 1.6× slower until this (docs/benchmark-history.md). The path is outside the
 * Management API on purpose: the requests reach no connection, no metric and no fault a test set.
 * Its sink reads each body as the Management API does and answers 204; an unread body made Jetty
 * drop the keep-alive connection under the client (one post in seven failed).
 */
final class DeliveryWarmUp {
    /**
     * About 5 s of one core here. Interleaved A/B, first three publications to 1,000 after a start
     * (median of four runs): none 626 ms, 2,000 posts 435 ms, 5,000 posts 388 ms.
     */
    static final int POSTS = 5_000;
    /** The sink's path on the stack's HTTP port; requests go to {@code PATH/@connections/{id}}. */
    static final String PATH = "/local/warm-up";

    private final Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
    private final Thread thread;

    private DeliveryWarmUp(SignedHttp http, String baseUrl, int posts) {
        ApiGatewayNotifier notifier = new ApiGatewayNotifier(http, baseUrl + PATH);
        byte[] payload = "{\"type\":\"warm-up\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        thread = new Thread(() -> {
            for (int i = 0; i < posts && !Thread.currentThread().isInterrupted(); i++) {
                Outcome o = notifier.post("warm-up-" + i, payload);
                synchronized (outcomes) {
                    outcomes.merge(o, 1, Integer::sum);
                }
            }
        }, "herald-warm-up");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    static DeliveryWarmUp start(SignedHttp http, String baseUrl, int posts) {
        DeliveryWarmUp w = new DeliveryWarmUp(http, baseUrl, posts);
        w.thread.start();
        return w;
    }

    /** @return false when the warm-up is still running after {@code millis} */
    boolean await(long millis) throws InterruptedException {
        thread.join(millis);
        return !thread.isAlive();
    }

    void stop() {
        thread.interrupt();
    }

    static boolean handles(Request request) {
        return "POST".equals(request.getMethod()) && request.getHttpURI().getPath().startsWith(PATH + "/");
    }

    static boolean answer(Request request, Response response, Callback callback) throws java.io.IOException {
        HttpIo.body(request, WebSocketGateway.MAX_MESSAGE);
        return HttpIo.respond(response, callback, 204, null, Map.of(), null);
    }

    /** How the posts were answered so far: every one should be DELIVERED (the sink's 204). */
    Map<Outcome, Integer> outcomes() {
        synchronized (outcomes) {
            return Map.copyOf(outcomes);
        }
    }
}
