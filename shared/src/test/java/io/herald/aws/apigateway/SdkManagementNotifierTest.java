package io.herald.aws.apigateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.herald.aws.config.AwsClients;
import io.herald.core.delivery.ConnectionNotifier;
import io.herald.core.delivery.ConnectionNotifier.Outcome;
import io.herald.core.delivery.Delivery;
import io.herald.core.delivery.RetryPolicy;
import io.herald.testing.RecordingManagementApi;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The same cases as {@link ApiGatewayNotifierTest}, through the SDK's client against the recording API. */
class SdkManagementNotifierTest {
    final RecordingManagementApi api;

    SdkManagementNotifierTest() throws Exception {
        api = new RecordingManagementApi();
    }

    @AfterEach
    void close() {
        api.close();
    }

    static SdkManagementNotifier notifier(String secret, String endpoint) {
        return new SdkManagementNotifier(new AwsClients(Map.of("AWS_REGION", "eu-west-1",
                "AWS_ACCESS_KEY_ID", RecordingManagementApi.ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", secret)).managementApi(endpoint));
    }

    @Test
    void post_should_sign_encode_the_id_and_deliver_the_bytes() {
        SdkManagementNotifier n = notifier(RecordingManagementApi.SECRET, api.endpoint() + "/");
        String id = "Ab/c+d9EFgh0Ij2=";
        assertEquals(Outcome.DELIVERED, n.post(id, "{\"hello\":1}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(List.of("{\"hello\":1}"), api.to(id));
        assertEquals(Outcome.DELIVERED, n.disconnect(id));
        assertEquals(List.of(id), api.deleted);
        assertEquals(List.of(), api.badSignatures);
    }

    @Test
    void statuses_should_map_to_outcomes_without_sdk_retries() {
        SdkManagementNotifier n = notifier(RecordingManagementApi.SECRET, api.endpoint());
        api.markGone("gone");
        api.throttle("busy", 1);
        assertEquals(Outcome.GONE, n.post("gone", new byte[] {1}));
        assertEquals(Outcome.RETRYABLE, n.post("busy", new byte[] {1}));
        assertEquals(Outcome.DELIVERED, n.post("busy", new byte[] {1}));
        assertEquals(2, api.attempts.get("busy").get(), "one request per post: Delivery retries, not the client");
        assertEquals(Outcome.GONE, n.disconnect("gone"), "already closed: the goal is reached");
        api.failNext("busy", 503, 1);
        assertEquals(Outcome.RETRYABLE, n.disconnect("busy"));
        assertEquals(Outcome.DELIVERED, n.disconnect("busy"));
        api.failNext("refused", 403, 1);
        assertEquals(Outcome.REJECTED, n.post("refused", new byte[] {1}));
        api.failNext("big", 413, 1);
        assertEquals(Outcome.REJECTED, n.post("big", new byte[] {1}));
        api.failNext("down", 500, 1);
        assertEquals(Outcome.RETRYABLE, n.post("down", new byte[] {1}));
        assertEquals(List.of(), api.badSignatures);
    }

    @Test
    void delivery_should_retry_throttled_and_failing_posts_and_report_the_gone_ones() {
        assertDelivery(notifier(RecordingManagementApi.SECRET, api.endpoint()), api);
    }

    @Test
    void the_signed_http_notifier_should_give_delivery_the_same_report() throws Exception {
        try (RecordingManagementApi other = new RecordingManagementApi()) {
            assertDelivery(new ApiGatewayNotifier(ApiGatewayNotifierTest.http(RecordingManagementApi.SECRET), other.endpoint()), other);
        }
    }

    /** Delivery's retries over a notifier: 429 twice, 503 once, 410 and 403 on five connections. */
    static void assertDelivery(ConnectionNotifier notifier, RecordingManagementApi api) {
        api.throttle("throttled", 2);
        api.failNext("failing", 503, 1);
        api.markGone("gone");
        api.failNext("refused", 403, 1);
        List<Delivery.Target> targets = List.of(new Delivery.Target("ok", new byte[] {1}),
                new Delivery.Target("throttled", new byte[] {2}), new Delivery.Target("failing", new byte[] {3}),
                new Delivery.Target("gone", new byte[] {4}), new Delivery.Target("refused", new byte[] {5}));
        try (Delivery d = new Delivery(notifier, RetryPolicy.DEFAULT, 4, ms -> { })) {
            Delivery.Report r = d.deliver(targets);
            assertEquals(3, r.delivered());
            assertEquals(List.of("gone"), r.gone());
            assertEquals(3, r.retried(), "two retries of the throttled post, one of the failing one");
            assertEquals(1, r.failed(), "the refused post");
            assertEquals(0, r.retryable());
        }
        assertEquals(3, api.attempts.get("throttled").get());
        assertEquals(1, api.attempts.get("refused").get(), "a 403 is not retried");
        assertEquals(List.of(), api.badSignatures);
    }

    @Test
    void an_unreachable_endpoint_should_be_retryable_for_posts_and_deletes() {
        SdkManagementNotifier n = notifier(RecordingManagementApi.SECRET, "http://127.0.0.1:1/ws");
        assertEquals(Outcome.RETRYABLE, n.post("x", new byte[] {1}));
        assertEquals(Outcome.RETRYABLE, n.disconnect("x"));
    }

    @Test
    void the_recording_api_should_notice_a_wrong_signature() {
        notifier("another-secret", api.endpoint()).post("x", new byte[] {1});
        assertEquals(1, api.badSignatures.size(), "the signature check can fail");
    }
}
