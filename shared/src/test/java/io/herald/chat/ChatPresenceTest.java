package io.herald.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import io.herald.core.service.ConnectRequest;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.Services;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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

/**
 * user:online / user:offline when a user's connections open or close at the same moment, every
 * store on the real engine: the connections index said "someone else is still there" to both
 * (no user:online at all) or "nobody is left" to both (user:offline twice).
 */
class ChatPresenceTest {
    @RegisterExtension
    static final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb();

    final RecordingNotifier out = new RecordingNotifier();
    final ExecutorService pool = Executors.newFixedThreadPool(4);
    Services herald;
    String conv;
    String alice;
    String bob;
    String aliceWs;

    @BeforeEach
    void services() throws Exception {
        herald = ChatOnEngine.services(dynamo, c -> c, out, line -> { }, ms -> { });
        alice = "alice-" + UUID.randomUUID().toString().substring(0, 6);
        bob = "bob-" + UUID.randomUUID().toString().substring(0, 6);
        conv = "k-" + UUID.randomUUID().toString().substring(0, 8);
        herald.chat.upsert(conv, Json.MAPPER.valueToTree(List.of(alice, bob)), herald.context, Instant.now());
        aliceWs = stored(alice);
        herald.lifecycle.connected(connection(aliceWs), Instant.now());
        out.frames.clear();
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    /** $connect stored the connection; the stream's record of it is not handled yet. */
    String stored(String user) {
        String id = user + "-" + UUID.randomUUID().toString().substring(0, 6);
        assertTrue(herald.connect.connect(new ConnectRequest(id, Map.of("protocol", "chat", "token", Tokens.forUser(user)), Map.of(),
                "127.0.0.1", "test"), Instant.now()).ok());
        return id;
    }

    Connection connection(String id) {
        return herald.registry.connections().get(id, Instant.now()).orElseThrow();
    }

    long toAlice(String event) {
        return out.to(aliceWs).stream().filter(f -> Json.parse(f).path("event").asText().equals(event)).count();
    }

    /** Runs the actions at the same moment, on their own threads. */
    void together(List<ThrowingRunnable> actions) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (ThrowingRunnable a : actions) done.add(pool.submit(() -> {
            start.await();
            a.run();
            return null;
        }));
        start.countDown();
        for (Future<?> f : done) f.get(30, TimeUnit.SECONDS);
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void two_connections_opening_in_one_stream_batch_should_announce_online_once() throws Exception {
        Connection b1 = connection(stored(bob));
        Connection b2 = connection(stored(bob)); // both stored before either record is handled
        together(List.of(() -> herald.lifecycle.connected(b1, Instant.now()), () -> herald.lifecycle.connected(b2, Instant.now())));
        assertEquals(1, toAlice("user:online"));
        herald.lifecycle.connected(b1, Instant.now()); // the stream delivers a record again
        assertEquals(1, toAlice("user:online"));
    }

    @Test
    void two_connections_closing_at_once_should_announce_offline_once() throws Exception {
        String b1 = stored(bob);
        String b2 = stored(bob);
        herald.lifecycle.connected(connection(b1), Instant.now());
        herald.lifecycle.connected(connection(b2), Instant.now());
        assertEquals(1, toAlice("user:online"));
        together(List.of(() -> herald.lifecycle.disconnected(b1, Instant.now()), () -> herald.lifecycle.disconnected(b2, Instant.now())));
        assertEquals(1, toAlice("user:offline"));
    }

    @Test
    void connections_found_gone_together_then_disconnected_should_announce_offline_once() throws Exception {
        Connection b1 = connection(stored(bob));
        Connection b2 = connection(stored(bob));
        herald.lifecycle.connected(b1, Instant.now());
        herald.lifecycle.connected(b2, Instant.now());
        // a fan-out met 410 from both: both are deleted first, then their hooks run
        herald.registry.forgetAll(List.of(b1.id(), b2.id()), new io.herald.core.service.ConnectionRegistry.Parallel() {
            @Override
            public <T> List<T> forEach(List<T> items, java.util.function.Consumer<T> action) {
                items.forEach(action);
                return List.of();
            }
        });
        assertEquals(1, toAlice("user:offline"));
        herald.lifecycle.disconnected(b1.id(), Instant.now()); // API Gateway's $disconnect comes after the cleanup
        herald.lifecycle.disconnected(b1.id(), Instant.now()); // and is retried
        herald.lifecycle.expired(b2, Instant.now()); // a TTL record for it would change nothing either
        assertEquals(1, toAlice("user:offline"));
    }

    @Test
    void a_connection_removed_by_ttl_should_announce_offline_once() throws Exception {
        Connection b = connection(stored(bob));
        herald.lifecycle.connected(b, Instant.now());
        assertEquals(1, toAlice("user:online"));
        herald.lifecycle.expired(b, Instant.now()); // never got $disconnect nor a 410
        herald.lifecycle.expired(b, Instant.now()); // the stream record delivered again
        assertEquals(1, toAlice("user:offline"));
    }

    @Test
    void a_member_joining_later_should_learn_the_stored_status_of_members_online() throws Exception {
        String b = stored(bob);
        herald.lifecycle.connected(connection(b), Instant.now());
        herald.sessions.onMessage(b, "{\"event\":\"user:status\",\"data\":{\"status\":\"busy\"}}", Instant.now());
        out.frames.clear();
        herald.sessions.onMessage(aliceWs, "{\"event\":\"conversation:join\",\"data\":{\"conversation_id\":\"" + conv + "\"}}",
                Instant.now());
        List<String> events = out.to(aliceWs).stream().map(f -> Json.parse(f).path("event").asText()).toList();
        assertEquals(List.of("conversation:joined", "user:status_updated"), events);
        var status = Json.parse(out.to(aliceWs).get(1)).path("data");
        assertEquals(bob, status.path("user_id").asText());
        assertEquals("busy", status.path("status").asText());

        herald.lifecycle.disconnected(b, Instant.now()); // offline: a status is news only while its user is online
        out.frames.clear();
        herald.sessions.onMessage(aliceWs, "{\"event\":\"conversation:join\",\"data\":{\"conversation_id\":\"" + conv + "\"}}",
                Instant.now());
        assertEquals(List.of("conversation:joined"), out.to(aliceWs).stream().map(f -> Json.parse(f).path("event").asText()).toList());
    }
}
