package io.herald.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.herald.core.model.Connection;
import io.herald.core.model.Subscriber;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.topic.TopicPattern;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The fake keeps what DynamoDbSubscriptionStore keeps (DynamoDbStoresTest pins the adapter), so core tests see what production sees. */
class InMemoryStoresTest {
    @Test
    void the_user_should_be_kept_on_wildcard_subscriptions_only_as_the_adapter_does() {
        InMemoryStores s = new InMemoryStores();
        Instant now = Instant.now();
        Connection a = new Connection("a", "u1", "topics", now, "127.0.0.1", "test", Map.of(), now.plusSeconds(7200).getEpochSecond());
        s.put(a);
        s.add(a, SubscriptionSpec.of(TopicPattern.parse("raffles.r1")), 10, now);
        s.add(a, SubscriptionSpec.of(TopicPattern.parse("raffles.*")), 10, now);
        Map<String, Subscriber> byPattern = new java.util.HashMap<>();
        s.forConnection("a").forEach(x -> byPattern.put(x.spec().pattern().text(), x));
        assertNull(byPattern.get("raffles.r1").userId(), "exact patterns were authorized at subscribe time: no user kept");
        assertEquals("u1", byPattern.get("raffles.*").userId(), "wildcards are re-authorized per topic, so they keep the user");
    }
}
