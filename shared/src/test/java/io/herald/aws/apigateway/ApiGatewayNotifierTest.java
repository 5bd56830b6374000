package io.herald.aws.apigateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.aws.config.AwsClients;
import io.herald.aws.http.SignedHttp;
import io.herald.core.delivery.ConnectionNotifier.Outcome;
import io.herald.testing.RecordingManagementApi;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ApiGatewayNotifierTest {
    final RecordingManagementApi api;

    ApiGatewayNotifierTest() throws Exception {
        api = new RecordingManagementApi();
    }

    @AfterEach
    void close() {
        api.close();
    }

    static SignedHttp http(String secret) {
        return new AwsClients(Map.of("AWS_REGION", "eu-west-1", "AWS_ACCESS_KEY_ID", RecordingManagementApi.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", secret)).signedHttp();
    }

    @Test
    void post_should_sign_encode_the_id_and_deliver_the_bytes() {
        ApiGatewayNotifier n = new ApiGatewayNotifier(http(RecordingManagementApi.SECRET), api.endpoint() + "/");
        String id = "Ab/c+d9EFgh0Ij2=";
        assertEquals(Outcome.DELIVERED, n.post(id, "{\"hello\":1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("{\"hello\":1}"), api.to(id));
        assertEquals(Outcome.DELIVERED, n.disconnect(id));
        assertEquals(List.of(id), api.deleted);
        assertEquals(List.of(), api.badSignatures);
    }

    @Test
    void statuses_should_map_to_outcomes() {
        ApiGatewayNotifier n = new ApiGatewayNotifier(http(RecordingManagementApi.SECRET), api.endpoint());
        api.markGone("gone");
        api.throttle("busy", 1);
        assertEquals(Outcome.GONE, n.post("gone", new byte[] {1}));
        assertEquals(Outcome.RETRYABLE, n.post("busy", new byte[] {1}));
        assertEquals(Outcome.DELIVERED, n.post("busy", new byte[] {1}));
        assertEquals(Outcome.GONE, n.disconnect("gone"), "already closed: the goal is reached");
        api.failNext("busy", 503, 1);
        assertEquals(Outcome.RETRYABLE, n.disconnect("busy"));
        assertEquals(Outcome.DELIVERED, n.disconnect("busy"));
        assertEquals(Outcome.REJECTED, ApiGatewayNotifier.outcome(403));
        assertEquals(Outcome.REJECTED, ApiGatewayNotifier.outcome(413));
        assertEquals(Outcome.RETRYABLE, ApiGatewayNotifier.outcome(503));
    }

    @Test
    void an_unreachable_endpoint_should_be_retryable_for_posts_and_deletes() {
        ApiGatewayNotifier n = new ApiGatewayNotifier(http(RecordingManagementApi.SECRET), "http://127.0.0.1:1/ws");
        assertEquals(Outcome.RETRYABLE, n.post("x", new byte[] {1}));
        assertEquals(Outcome.RETRYABLE, n.disconnect("x"));
    }

    /**
     * Regression: the JDK's HttpURLConnection buffers a POST without a Content-Length and, when the
     * connection drops before the answer, silently sends it again (sun.net.http.retryPost), below
     * Herald's retry policy and its counts; a post API Gateway had accepted then landed twice with
     * nothing in Herald's logs to show it (TreeBench's duplicates that no retry explained). With
     * the property false (SignedHttp sets it; the test JVMs start with it, whichever test opens
     * the first connection) the post goes out once and the lost answer is Herald's RETRYABLE.
     */
    @Test
    void a_post_whose_answer_is_lost_should_be_sent_once_and_left_to_herald_to_retry() throws Exception {
        java.util.concurrent.atomic.AtomicInteger received = new java.util.concurrent.atomic.AtomicInteger();
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ws/@connections/", ex -> {
            ex.getRequestBody().readAllBytes();
            received.incrementAndGet();
            ex.close(); // accepted, then the connection drops without an answer
        });
        server.start();
        try {
            ApiGatewayNotifier n = new ApiGatewayNotifier(http(RecordingManagementApi.SECRET),
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/ws");
            assertEquals(Outcome.RETRYABLE, n.post("lost", "{\"a\":1}".getBytes(StandardCharsets.UTF_8)));
            assertEquals(1, received.get(), "requests the server received for one post");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void the_recording_api_should_notice_a_wrong_signature() {
        new ApiGatewayNotifier(http("another-secret"), api.endpoint()).post("x", new byte[] {1});
        assertEquals(1, api.badSignatures.size(), "the signature check can fail");
    }
}
