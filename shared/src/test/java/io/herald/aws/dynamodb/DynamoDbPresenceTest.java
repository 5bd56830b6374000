package io.herald.aws.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.chat.PresenceStore;
import io.herald.testing.EmbeddedDynamoDb;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** Presence on Herald's DynamoDB engine through the real SDK client: transitions, once per connection, under concurrency. */
class DynamoDbPresenceTest {
    @RegisterExtension
    static final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb();
    static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");
    static final long LIFETIME = NOW.plusSeconds(7500).getEpochSecond();

    PresenceStore presence;
    String table;
    final ExecutorService pool = Executors.newFixedThreadPool(8);

    @BeforeEach
    void table() {
        table = "Chat-" + UUID.randomUUID().toString().substring(0, 8);
        dynamo.client().createTable(DynamoDbSchema.chatTable(table));
        presence = new DynamoDbPresence(dynamo.client(), table);
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    @Test
    void the_first_open_and_the_last_close_should_be_the_only_transitions() {
        assertTrue(presence.opened("u", "c1", LIFETIME, NOW), "0 -> 1: online");
        assertFalse(presence.opened("u", "c2", LIFETIME, NOW), "1 -> 2");
        assertFalse(presence.opened("u", "c1", LIFETIME, NOW), "the same connection again (a redelivered stream record)");
        assertFalse(presence.closed("u", "c1", LIFETIME, NOW), "2 -> 1");
        assertFalse(presence.closed("u", "c1", LIFETIME, NOW), "a retried $disconnect: nothing");
        assertTrue(presence.closed("u", "c2", LIFETIME, NOW), "1 -> 0: offline");
        assertFalse(presence.closed("u", "c2", LIFETIME, NOW), "a 410 cleanup after $disconnect: nothing");
        assertTrue(presence.opened("u", "c3", LIFETIME, NOW), "back online");
    }

    @Test
    void a_close_of_a_connection_never_opened_should_not_go_below_zero() {
        assertFalse(presence.closed("nobody", "c1", LIFETIME, NOW));
        assertFalse(presence.closed("nobody", "c2", LIFETIME, NOW));
        assertTrue(presence.opened("nobody", "c3", LIFETIME, NOW), "the next open is still the first");
        assertTrue(presence.closed("nobody", "c3", LIFETIME, NOW), "and its close the last");
    }

    @Test
    void a_close_that_overtook_its_open_should_win() {
        assertFalse(presence.closed("u", "c1", LIFETIME, NOW)); // $disconnect ran before the stream's INSERT was handled
        assertFalse(presence.opened("u", "c1", LIFETIME, NOW), "the late open finds it closed: nobody sees a gone connection online");
        assertTrue(presence.opened("u", "c2", LIFETIME, NOW), "c1 does not count");
    }

    @Test
    void a_connection_whose_lifetime_ended_without_a_close_should_count_as_closed() {
        long shortLife = NOW.plusSeconds(10).getEpochSecond();
        assertTrue(presence.opened("u", "lost", shortLife, NOW));
        Instant later = NOW.plusSeconds(60); // its close was lost (a crash after the delete)
        assertTrue(presence.opened("u", "c2", LIFETIME, later), "the lost one does not keep the user from coming online again");
        assertEquals(Set.of("c#c2"), marks("u"), "and its mark is gone");
        assertTrue(presence.closed("u", "c2", LIFETIME, later));
    }

    @Test
    void a_ttl_removal_after_the_lifetime_should_still_announce_offline_once() {
        long shortLife = NOW.plusSeconds(10).getEpochSecond();
        assertTrue(presence.opened("u", "c1", shortLife, NOW));
        Instant removed = NOW.plusSeconds(3600); // DynamoDB deletes expired items late
        assertTrue(presence.closed("u", "c1", shortLife, removed), "the open connection's removal is the last close");
        assertFalse(presence.closed("u", "c1", shortLife, removed));
    }

    @Test
    void concurrent_opens_and_closes_should_each_make_exactly_one_transition() throws Exception {
        for (int round = 0; round < 5; round++) {
            String user = "u" + round;
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 8; i++) ids.add(user + "-c" + i);
            assertEquals(1, together(ids, id -> presence.opened(user, id, LIFETIME, NOW)), "one user:online for 8 opens at once");
            assertEquals(1, together(ids, id -> presence.closed(user, id, LIFETIME, NOW)), "one user:offline for 8 closes at once");
            assertEquals(0, together(ids, id -> presence.closed(user, id, LIFETIME, NOW)), "closes again: none");
        }
    }

    /** Runs the call for every id at once; how many returned true. */
    private int together(List<String> ids, java.util.function.Predicate<String> call) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Boolean>> done = new ArrayList<>();
        for (String id : ids) done.add(pool.submit(() -> {
            start.await();
            return call.test(id);
        }));
        start.countDown();
        int n = 0;
        for (Future<Boolean> f : done) if (f.get(30, TimeUnit.SECONDS)) n++;
        return n;
    }

    @Test
    void the_status_should_be_kept_and_shown_only_while_the_user_is_online() {
        presence.status("u", "away", NOW);
        assertEquals(Map.of(), presence.online(List.of("u", "other"), NOW), "offline users are not listed");
        presence.opened("u", "c1", LIFETIME, NOW);
        presence.opened("v", "c2", LIFETIME, NOW);
        Map<String, PresenceStore.Presence> online = presence.online(List.of("u", "v", "other"), NOW);
        assertEquals(Set.of("u", "v"), online.keySet());
        assertEquals("away", online.get("u").status());
        assertEquals(NOW, online.get("u").statusAt());
        assertNull(online.get("v").status(), "never set");
        presence.closed("u", "c1", LIFETIME, NOW);
        presence.opened("u", "c3", LIFETIME, NOW.plusSeconds(5));
        assertEquals("away", presence.online(List.of("u"), NOW.plusSeconds(5)).get("u").status(), "it survives the user's connections");
    }

    private Set<String> marks(String user) {
        Map<String, AttributeValue> item = dynamo.client().getItem(b -> b.tableName(table).consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("u#" + user), "sk", AttributeValue.fromS("#presence")))).item();
        Set<String> out = new java.util.TreeSet<>();
        item.keySet().stream().filter(k -> k.startsWith("c#")).forEach(out::add);
        return out;
    }
}
