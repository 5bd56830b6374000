package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.delivery.ConnectionNotifier.Outcome;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The jar's start-up warm-up runs the real signed-HTTP delivery code against the stack's own port
 * and touches nothing a user or a test can see: no Management API call (so no metric and no
 * injected fault), every request answered by its sink. That it makes the first publications faster is a
 * benchmark's finding (docs/benchmark-history.md), not asserted here.
 */
class DeliveryWarmUpTest {
    @Test
    void everyWarmUpPostReachesItsSinkAndNoneTheManagementApi() throws Exception {
        try (LocalStack stack = new LocalStack(LocalOptions.defaults().withPort(0)).start()) {
            AtomicInteger consulted = new AtomicInteger();
            stack.managementFaults(id -> {
                consulted.incrementAndGet();
                return 0;
            });
            stack.warmUpDelivery();
            DeliveryWarmUp w = stack.warmUp().orElseThrow();
            assertTrue(w.await(120_000), "the warm-up did not finish within 120 s");

            assertEquals(Map.of(Outcome.DELIVERED, DeliveryWarmUp.POSTS), w.outcomes());
            assertEquals(0, consulted.get(), "a warm-up request reached the Management API's fault hook");
            JsonNode api = stack.metrics().json().path("apis").path("WebSocketApi");
            assertEquals(0, api.path("managementPosts").asLong(-1), api.toString());
            assertEquals(0, api.path("management410s").asLong(-1), api.toString());
        }
    }

    @Test
    void closingTheStackStopsAWarmUpStillRunning() throws Exception {
        DeliveryWarmUp w;
        try (LocalStack stack = new LocalStack(LocalOptions.defaults().withPort(0)).start()) {
            stack.warmUpDelivery();
            w = stack.warmUp().orElseThrow();
        }
        assertTrue(w.await(10_000), "the warm-up thread outlived the stack");
        int done = w.outcomes().values().stream().mapToInt(Integer::intValue).sum();
        assertTrue(done < DeliveryWarmUp.POSTS, "expected the close to cut the warm-up short, it sent all " + done);
    }
}
