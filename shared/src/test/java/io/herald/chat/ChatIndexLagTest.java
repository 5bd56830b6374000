package io.herald.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import io.herald.core.service.ConnectRequest;
import io.herald.core.service.Services;
import io.herald.core.store.ConnectionStore;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed: after connection:established "the client can now send and receive events". Chat finds
 * a member's connections through the user index, which on AWS lags the connection's row; a message
 * stored in that lag reached neither the history the client had read nor the new connection live.
 * The welcome now waits until the index lists the connection. The engine's index does not lag, so
 * the lag is played by a store that leaves the newest connection out of the first answers.
 */
class ChatIndexLagTest {
    @RegisterExtension
    static final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb();

    final RecordingNotifier out = new RecordingNotifier();
    final List<Long> sleeps = new CopyOnWriteArrayList<>();
    final List<ObjectNode> log = new CopyOnWriteArrayList<>();
    /** How many more user-index answers that would list {@link #lagging} leave it out. */
    final AtomicInteger lagLooks = new AtomicInteger();
    final AtomicInteger looks = new AtomicInteger();
    volatile String lagging;
    Services herald;
    String conv, alice, bob;

    @BeforeEach
    void services() {
        herald = ChatOnEngine.services(dynamo, real -> (ConnectionStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ConnectionStore.class}, (proxy, method, args) -> {
                    Object answer;
                    try {
                        answer = method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                    if (!method.getName().equals("byUser")) return answer;
                    looks.incrementAndGet();
                    List<?> all = (List<?>) answer;
                    boolean holdsIt = all.stream().anyMatch(c -> ((Connection) c).id().equals(lagging));
                    if (!holdsIt || lagLooks.getAndDecrement() <= 0) return answer;
                    return all.stream().filter(c -> !((Connection) c).id().equals(lagging)).toList();
                }), out, log::add, sleeps::add);
        alice = "alice-" + UUID.randomUUID().toString().substring(0, 6);
        bob = "bob-" + UUID.randomUUID().toString().substring(0, 6);
        conv = "k-" + UUID.randomUUID().toString().substring(0, 8);
        herald.chat.upsert(conv, Json.MAPPER.valueToTree(List.of(alice, bob)), herald.context, Instant.now());
    }

    String stored(String user) {
        String id = user + "-" + UUID.randomUUID().toString().substring(0, 6);
        assertTrue(herald.connect.connect(new ConnectRequest(id, Map.of("protocol", "chat", "token", Tokens.forUser(user)), Map.of(),
                "127.0.0.1", "test"), Instant.now()).ok());
        return id;
    }

    List<String> events(String connectionId) {
        return out.to(connectionId).stream().map(f -> Json.parse(f).path("event").asText()).toList();
    }

    @Test
    void the_welcome_should_wait_until_the_user_index_lists_the_connection_and_then_every_message_arrives_live() throws Exception {
        String aliceWs = stored(alice);
        herald.lifecycle.connected(herald.registry.connections().get(aliceWs, Instant.now()).orElseThrow(), Instant.now());
        String bobWs = stored(bob);
        lagging = bobWs;
        lagLooks.set(2);
        looks.set(0);

        herald.lifecycle.connected(herald.registry.connections().get(bobWs, Instant.now()).orElseThrow(), Instant.now());
        int atWelcome = looks.get();
        assertEquals("connection:established", events(bobWs).get(0));
        herald.sessions.onMessage(aliceWs, "{\"event\":\"message:send\",\"data\":{\"conversation_id\":\"" + conv
                + "\",\"type\":\"text\",\"content\":\"right after\"}}", Instant.now());

        // a member's connections outside the conversation's room get conversation:unread, found through the index
        assertTrue(events(bobWs).contains("conversation:unread"), "told it can receive, it receives: " + events(bobWs));
        assertEquals(2, sleeps.size(), "a pause between looks");
        assertEquals(3 + 1, atWelcome, "two answers without it, then the one with it (and the presence hook's own look after)");
    }

    @Test
    void a_lag_past_the_bound_should_be_logged_and_the_welcome_sent_anyway() throws Exception {
        String bobWs = stored(bob);
        lagging = bobWs;
        lagLooks.set(100);
        looks.set(0);

        herald.lifecycle.connected(herald.registry.connections().get(bobWs, Instant.now()).orElseThrow(), Instant.now());

        assertEquals(7 + 1, looks.get(), "bounded (and the presence hook's own look after)");
        assertEquals("connection:established", events(bobWs).get(0));
        assertTrue(log.stream().anyMatch(l -> "user_index_lag".equals(l.path("event").asText())));
    }

    @Test
    void a_connection_closed_before_its_record_is_handled_should_not_be_waited_for() throws Exception {
        String bobWs = stored(bob);
        Connection c = herald.registry.connections().get(bobWs, Instant.now()).orElseThrow();
        herald.lifecycle.disconnected(bobWs, Instant.now()); // $disconnect ran first
        lagging = bobWs;
        lagLooks.set(100);
        herald.lifecycle.connected(c, Instant.now());
        assertTrue(sleeps.isEmpty(), "no pauses for a row that is gone");
        assertTrue(log.stream().noneMatch(l -> "user_index_lag".equals(l.path("event").asText())));
    }

    @Test
    void profiles_that_find_no_one_through_the_index_should_not_wait() throws Exception {
        String id = "t-" + UUID.randomUUID().toString().substring(0, 6);
        assertTrue(herald.connect.connect(new ConnectRequest(id, Map.of("token", Tokens.forUser(bob)), Map.of(), "127.0.0.1", "test"),
                Instant.now()).ok());
        lagging = id;
        lagLooks.set(100);
        looks.set(0);
        herald.lifecycle.connected(herald.registry.connections().get(id, Instant.now()).orElseThrow(), Instant.now());
        assertEquals(0, looks.get(), "topics: no user index read at all");
        assertTrue(sleeps.isEmpty());
    }
}
