package io.herald.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.aws.apigateway.ApiGatewayNotifier;
import io.herald.aws.config.AwsClients;
import io.herald.aws.dynamodb.DynamoDbChatStore;
import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.core.chat.ChatException;
import io.herald.core.json.Json;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.Publication;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.service.ConnectRequest;
import io.herald.core.service.ConnectionRegistry;
import io.herald.core.service.HeraldConfig;
import io.herald.core.service.PublishService;
import io.herald.core.service.RetryablePublicationException;
import io.herald.core.service.Services;
import io.herald.core.topic.TopicPattern;
import io.herald.jwt.JwtVerifier;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.InMemoryStores;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.RecordingNotifier;
import io.herald.testing.Tokens;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The chat's rules through Herald's services: in-memory connections and subscriptions, the chat
 * table on the real engine through the real SDK client, frames recorded per connection.
 */
class ChatServiceTest {
    @RegisterExtension
    static final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb();

    final InMemoryStores mem = new InMemoryStores();
    final RecordingNotifier out = new RecordingNotifier();
    final List<ObjectNode> tasks = Collections.synchronizedList(new ArrayList<>());
    DynamoDbChatStore store;
    Services herald;

    @BeforeEach
    void services() {
        String table = "Chat-" + UUID.randomUUID().toString().substring(0, 8);
        dynamo.client().createTable(DynamoDbSchema.chatTable(table));
        store = new DynamoDbChatStore(dynamo.client(), table, null);
        herald = new Services(Clock.systemUTC(), HeraldConfig.defaults(), new ConnectionRegistry(mem, mem, mem, mem), mem, out,
                JwtVerifier.hs256(Tokens.SECRET, null, null, Clock.systemUTC()), line -> { }, ms -> { },
                new Services.Chat(store, (task, delay) -> tasks.add(task), Duration.ofSeconds(5), null));
    }

    /** A chat connection of the user; its connection:established frame is dropped. */
    String chat(String user) {
        String id = user + "-" + UUID.randomUUID().toString().substring(0, 6);
        assertTrue(herald.connect.connect(new ConnectRequest(id, Map.of("protocol", "chat", "token", Tokens.forUser(user)), Map.of(),
                "127.0.0.1", "test"), Instant.now()).ok());
        out.frames.remove(id);
        return id;
    }

    void send(String connection, String event, String data) {
        herald.sessions.onMessage(connection, "{\"event\":\"" + event + "\",\"data\":" + data + "}", Instant.now());
    }

    /** The frames the connection received since the last call, parsed; then forgets them. */
    List<JsonNode> take(String connection) {
        List<String> raw = out.frames.remove(connection);
        List<JsonNode> l = new ArrayList<>();
        if (raw != null) raw.forEach(f -> l.add(Json.parse(f)));
        return l;
    }

    static List<String> events(List<JsonNode> frames) {
        return frames.stream().map(f -> f.path("event").asText(f.path("type").asText())).toList();
    }

    String conversation(String... members) {
        String id = "k-" + UUID.randomUUID().toString().substring(0, 8);
        herald.chat.upsert(id, Json.MAPPER.valueToTree(List.of(members)), herald.context, Instant.now());
        return id;
    }

    Publication backend(String id, String type, ObjectNode data) {
        return new Publication(id, type, List.of("conversations." + data.path("conversation_id").asText()), data, null);
    }

    // ------------------------------------------------------------------ finding 1

    @Test
    void a_client_publication_of_a_conversation_type_should_be_refused_and_change_nothing() {
        String conv = conversation("alice", "bob");
        String mallory = "mallory-ws";
        assertTrue(herald.connect.connect(new ConnectRequest(mallory, Map.of("token", Tokens.forUser("mallory")), Map.of(),
                "127.0.0.1", "test"), Instant.now()).ok());
        take(mallory);
        herald.sessions.onMessage(mallory, "{\"type\":\"message\",\"topic\":\"messages.channel.x\",\"eventType\":\"conversation.upserted\","
                + "\"data\":{\"conversation_id\":\"" + conv + "\",\"members\":[\"mallory\"]}}", Instant.now());
        JsonNode refused = take(mallory).get(0);
        assertEquals("error", refused.path("type").asText());
        assertEquals(403, refused.path("code").asInt());
        assertEquals(List.of("alice", "bob"), store.conversation(conv).orElseThrow().members());

        herald.sessions.onMessage(mallory, "{\"type\":\"message\",\"topic\":\"messages.channel.x\",\"eventType\":\"conversation.message\","
                + "\"data\":{\"conversation_id\":\"" + conv + "\",\"content\":\"you won\",\"type\":\"system\"}}", Instant.now());
        assertEquals(403, take(mallory).get(0).path("code").asInt());
        assertEquals(0, store.history(conv, null, 10).messages().size(), "no system message stored");

        // an ordinary client publication still goes through, and a backend still may
        herald.sessions.onMessage(mallory, "{\"type\":\"message\",\"topic\":\"messages.channel.x\",\"eventType\":\"note\",\"data\":{}}",
                Instant.now());
        assertEquals(List.of(), take(mallory));
        herald.publisher.publishFromBackend(backend(null, "conversation.upserted",
                Json.object().put("conversation_id", conv).set("members", Json.parse("[\"alice\",\"carol\"]"))), Instant.now());
        assertEquals(List.of("alice", "carol"), store.conversation(conv).orElseThrow().members());
    }

    // ------------------------------------------------------------------ finding 2

    @Test
    void a_backend_message_should_be_stored_and_shown_once_per_publication_id() {
        String conv = conversation("alice", "bob");
        String alice = chat("alice");
        String bob = chat("bob");
        send(alice, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
        assertEquals(List.of("conversation:joined"), events(take(alice)));
        ObjectNode data = Json.object().put("conversation_id", conv).put("content", "Match expires soon").put("type", "system");

        herald.publisher.publishFromBackend(backend("pub-1", "conversation.message", data), Instant.now());
        List<JsonNode> seen = take(alice);
        assertEquals(List.of("message:new"), events(seen), "only message:new, never a raw conversation.message frame");
        assertEquals("system", seen.get(0).path("data").path("message").path("sender_id").asText());
        assertEquals(List.of("conversation:unread"), events(take(bob)));

        // the same id again: a duplicate, nothing stored or sent
        assertTrue(herald.publisher.publishFromBackend(backend("pub-1", "conversation.message", data), Instant.now()).duplicate());
        // the first attempt crashed after storing, before completing: its claim lapses, the retry runs the chat
        // again, stores nothing and delivers the live events again (at least once: nothing recorded who got them)
        mem.completed.clear();
        mem.ledger.clear();
        herald.publisher.publishFromBackend(backend("pub-1", "conversation.message", data), Instant.now());
        List<JsonNode> again = take(alice);
        assertEquals(List.of("message:new"), events(again));
        assertEquals(seen.get(0).path("data").path("message").path("id"), again.get(0).path("data").path("message").path("id"));
        List<JsonNode> unread = take(bob);
        assertEquals(List.of("conversation:unread"), events(unread));
        assertEquals(1, unread.get(0).path("data").path("unread_count").asInt());
        assertEquals(1, store.history(conv, null, 10).messages().size());
        assertEquals(1L, store.unread(conv, List.of("bob")).get("bob"));

        // another id is another message
        herald.publisher.publishFromBackend(backend("pub-2", "conversation.message", data), Instant.now());
        assertEquals(2, store.history(conv, null, 10).messages().size());
    }

    @Test
    void a_redelivered_upsert_should_not_undo_a_later_one() {
        String conv = conversation("alice", "bob");
        ObjectNode first = Json.object().put("conversation_id", conv);
        first.set("members", Json.parse("[\"alice\",\"dave\"]"));
        herald.publisher.publishFromBackend(backend("pub-u1", "conversation.upserted", first), Instant.now());
        herald.chat.upsert(conv, Json.parse("[\"alice\",\"carol\"]"), herald.context, Instant.now());
        assertTrue(herald.publisher.publishFromBackend(backend("pub-u1", "conversation.upserted", first), Instant.now()).duplicate());
        assertEquals(List.of("alice", "carol"), store.conversation(conv).orElseThrow().members(), "the duplicate never reached the chat");
    }

    @Test
    void a_refused_backend_message_should_release_its_id() {
        ObjectNode data = Json.object().put("conversation_id", "missing-" + UUID.randomUUID()).put("content", "x");
        assertThrows(InvalidPublicationException.class,
                () -> herald.publisher.publishFromBackend(backend("pub-x", "conversation.message", data), Instant.now()));
        assertFalse(mem.ledger.containsKey("pub-x") || mem.completed.containsKey("pub-x"), "a refusal leaves the id free for a retry");
    }

    // ------------------------------------------------------------------ live events at least once

    /** The same services, posting through signed HTTP to a Management API that fails on command. */
    RecordingManagementApi managementApi() throws IOException {
        RecordingManagementApi api = new RecordingManagementApi();
        AwsClients clients = new AwsClients(Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", RecordingManagementApi.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", RecordingManagementApi.SECRET));
        herald = new Services(Clock.systemUTC(), HeraldConfig.defaults(), new ConnectionRegistry(mem, mem, mem, mem), mem,
                new ApiGatewayNotifier(clients.signedHttp(), api.endpoint()), JwtVerifier.hs256(Tokens.SECRET, null, null, Clock.systemUTC()),
                line -> { }, ms -> { }, new Services.Chat(store, (task, delay) -> tasks.add(task), Duration.ofSeconds(5), null));
        return api;
    }

    static List<JsonNode> parsed(List<String> raw) {
        return raw.stream().map(Json::parse).toList();
    }

    void join(String connection, String conv) {
        send(connection, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
    }

    @Test
    void a_backend_message_whose_live_post_fails_should_fail_retryably_and_reach_the_missed_members_on_the_retry() throws IOException {
        try (RecordingManagementApi api = managementApi()) {
            String conv = conversation("alice", "bob", "carol");
            String alice = chat("alice");
            String bob = chat("bob");
            String carol = chat("carol");
            join(alice, conv);
            join(carol, conv);
            api.received.clear();
            api.failNext(carol, 503, 8); // every attempt of its message:new (RetryPolicy.DEFAULT), twice
            api.failNext(bob, 429, 4); // every attempt of its conversation:unread (not in the room), once
            ObjectNode data = Json.object().put("conversation_id", conv).put("content", "Match expires soon").put("type", "system");

            RetryablePublicationException first = assertThrows(RetryablePublicationException.class,
                    () -> herald.publisher.publishFromBackend(backend("pub-live", "conversation.message", data), Instant.now()));
            assertEquals("pub-live", first.publicationId());
            assertFalse(mem.ledger.containsKey("pub-live") || mem.completed.containsKey("pub-live"), "released for the trigger's retry");
            assertEquals(List.of("message:new"), events(parsed(api.to(alice))));
            assertEquals(List.of(), api.to(bob));
            assertEquals(List.of(), api.to(carol));

            // the second attempt reaches bob, not yet carol: it fails again and adds bob to those reached
            assertThrows(RetryablePublicationException.class,
                    () -> herald.publisher.publishFromBackend(backend("pub-live", "conversation.message", data), Instant.now()));
            assertEquals(List.of("conversation:unread"), events(parsed(api.to(bob))));
            assertEquals(List.of(), api.to(carol));

            PublishService.Result retry = herald.publisher.publishFromBackend(backend("pub-live", "conversation.message", data), Instant.now());
            assertFalse(retry.duplicate());
            List<JsonNode> atCarol = parsed(api.to(carol));
            assertEquals(List.of("message:new"), events(atCarol), "the retry delivers what the first attempt could not");
            List<JsonNode> atBob = parsed(api.to(bob));
            assertEquals(List.of("conversation:unread"), events(atBob));
            assertEquals(1, atBob.get(0).path("data").path("unread_count").asInt());
            List<JsonNode> atAlice = parsed(api.to(alice));
            assertEquals(1, atAlice.size(), "alice, reached by the first attempt, is not posted to again");
            assertEquals(1, atBob.size(), "nor bob, reached by the second");
            String id = atAlice.get(0).path("data").path("message").path("id").asText();
            assertEquals(id, atCarol.get(0).path("data").path("message").path("id").asText(), "the stored message, not a new one");
            assertEquals(id, atBob.get(0).path("data").path("last_message").path("id").asText());
            assertEquals(1, store.history(conv, null, 10).messages().size(), "stored once");
            assertEquals(1L, store.unread(conv, List.of("bob")).get("bob"));

            assertTrue(herald.publisher.publishFromBackend(backend("pub-live", "conversation.message", data), Instant.now()).duplicate());
            assertEquals(List.of(1, 1, 1), List.of(api.to(alice).size(), api.to(bob).size(), api.to(carol).size()),
                    "the completed id delivers nothing more");
        }
    }

    @Test
    void a_member_still_in_connect_should_get_a_backend_message_through_its_window_or_on_the_retry() throws IOException {
        try (RecordingManagementApi api = managementApi()) {
            String conv = conversation("alice", "carol");
            String carol = chat("carol");
            join(carol, conv);
            api.received.clear();
            ObjectNode data = Json.object().put("conversation_id", conv).put("content", "hello").put("type", "system");

            api.failNext(carol, 410, 3); // $connect has not returned yet: refused, then open
            herald.publisher.publishFromBackend(backend("pub-young-1", "conversation.message", data), Instant.now());
            assertEquals(List.of("message:new"), events(parsed(api.to(carol))), "retried through the connect window");

            api.failNext(carol, 410, 7); // the first post and all six of the window's retries
            assertThrows(RetryablePublicationException.class,
                    () -> herald.publisher.publishFromBackend(backend("pub-young-2", "conversation.message", data), Instant.now()));
            assertTrue(herald.registry.connections().get(carol, Instant.now()).isPresent(), "a young 410 is not taken for gone");
            herald.publisher.publishFromBackend(backend("pub-young-2", "conversation.message", data), Instant.now());
            assertEquals(List.of("message:new", "message:new"), events(parsed(api.to(carol))));
        }
    }

    @Test
    void a_clients_message_whose_recipient_cannot_be_reached_should_be_acknowledged_and_delivered_through_history() throws IOException {
        try (RecordingManagementApi api = managementApi()) {
            String conv = conversation("alice", "bob");
            String alice = chat("alice");
            String bob = chat("bob");
            join(alice, conv);
            join(bob, conv);
            api.received.clear();

            api.failNext(bob, 410, 2); // bob's $connect has not returned yet
            send(alice, "message:send", "{\"conversation_id\":\"" + conv + "\",\"type\":\"text\",\"content\":\"hi\"}");
            assertEquals(List.of("message:new"), events(parsed(api.to(bob))), "retried through bob's connect window");
            assertEquals(List.of("message:new", "message:delivered"), events(parsed(api.to(alice))));

            api.received.clear();
            api.failNext(bob, 503, 4); // failing past the retries: a client frame has no trigger to retry it
            send(alice, "message:send", "{\"conversation_id\":\"" + conv + "\",\"type\":\"text\",\"content\":\"there?\"}");
            assertEquals(List.of(), api.to(bob));
            List<JsonNode> atAlice = parsed(api.to(alice));
            assertEquals(List.of("message:new"), events(atAlice), "stored and acknowledged, no error, not delivered yet");
            String id = atAlice.get(0).path("data").path("message").path("id").asText();

            api.received.clear();
            assertEquals(id, herald.chat.history(conv, "bob", null, null, herald.context, Instant.now()).path("messages").get(0)
                    .path("id").asText());
            List<JsonNode> receipt = parsed(api.to(alice));
            assertEquals(List.of("message:delivered"), events(receipt), "delivered once bob fetched it");
            assertEquals(id, receipt.get(0).path("data").path("message_id").asText());
        }
    }

    // ------------------------------------------------------------------ finding 3

    @Test
    void a_removed_member_should_leave_the_room_and_get_nothing_more() {
        String conv = conversation("alice", "bob", "carol");
        String alice = chat("alice");
        String carol = chat("carol");
        send(alice, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
        send(carol, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
        take(alice);
        assertEquals(List.of("conversation:joined"), events(take(carol)));

        herald.chat.upsert(conv, Json.parse("[\"alice\",\"bob\"]"), herald.context, Instant.now());
        assertTrue(mem.subscriptions.getOrDefault(carol, Map.of()).isEmpty(), "carol's room subscription is gone");
        send(alice, "message:send", "{\"conversation_id\":\"" + conv + "\",\"type\":\"text\",\"content\":\"hi\"}");
        assertEquals(List.of(), take(carol));

        // a subscription the purge missed (the user index lags) still reaches nobody who left
        herald.registry.subscribe(herald.registry.connections().get(carol, Instant.now()).orElseThrow(),
                SubscriptionSpec.of(TopicPattern.parse("conversations." + conv)), 100, Instant.now());
        send(alice, "message:send", "{\"conversation_id\":\"" + conv + "\",\"type\":\"text\",\"content\":\"still?\"}");
        send(alice, "typing:start", "{\"conversation_id\":\"" + conv + "\"}");
        String id = store.history(conv, null, 1).messages().get(0).id();
        send(alice, "message:delete", "{\"conversation_id\":\"" + conv + "\",\"message_id\":\"" + id + "\"}");
        assertEquals(List.of(), take(carol));
        assertEquals(List.of("message:new", "message:new", "message:deleted"), events(take(alice)));

        // deleting the conversation empties the room
        String dave = chat("bob");
        send(dave, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
        assertEquals(List.of("conversation:joined"), events(take(dave)));
        assertTrue(herald.chat.delete(conv, herald.context, Instant.now()));
        assertTrue(mem.subscriptions.getOrDefault(dave, Map.of()).isEmpty());
        assertTrue(mem.subscriptions.getOrDefault(alice, Map.of()).isEmpty());
    }

    // ------------------------------------------------------------------ finding 4

    @Test
    void joining_twice_should_answer_joined_twice() {
        String conv = conversation("alice", "bob");
        String alice = chat("alice");
        send(alice, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
        send(alice, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
        assertEquals(List.of("conversation:joined", "conversation:joined"), events(take(alice)));
    }

    @Test
    void a_busy_subscription_store_should_be_a_retryable_error_not_a_full_room() {
        // the same services over a subscription store whose writes keep conflicting
        io.herald.core.store.SubscriptionStore busy = new io.herald.core.store.SubscriptionStore() {
            @Override
            public AddResult add(io.herald.core.model.Connection c, SubscriptionSpec spec, int limit, Instant now) {
                return AddResult.BUSY;
            }

            @Override
            public int remove(String connectionId, TopicPattern pattern) {
                return mem.remove(connectionId, pattern);
            }

            @Override
            public int removeAll(String connectionId) {
                return mem.removeAll(connectionId);
            }

            @Override
            public int purge(String connectionId) {
                return mem.purge(connectionId);
            }

            @Override
            public List<io.herald.core.model.Subscriber> candidates(String topic, Instant now) {
                return mem.candidates(topic, now);
            }
        };
        herald = new Services(Clock.systemUTC(), HeraldConfig.defaults(), new ConnectionRegistry(mem, busy, mem, mem), mem, out,
                JwtVerifier.hs256(Tokens.SECRET, null, null, Clock.systemUTC()), line -> { }, ms -> { },
                new Services.Chat(store, (task, delay) -> tasks.add(task), Duration.ofSeconds(5), null));
        String conv = conversation("alice", "bob");
        String alice = chat("alice");
        send(alice, "conversation:join", "{\"conversation_id\":\"" + conv + "\"}");
        JsonNode e = take(alice).get(0);
        assertEquals("error", e.path("event").asText());
        assertEquals("INTERNAL_ERROR", e.path("data").path("code").asText(), "try again, not CONVERSATION_FULL");
        assertTrue(e.path("data").path("message").asText().contains("try again"));
    }

    // ------------------------------------------------------------------ finding 7

    @Test
    void an_overlong_id_should_be_a_validation_error_naming_the_field() {
        String conv = conversation("alice", "bob");
        String alice = chat("alice");
        String longId = "x".repeat(2100);
        for (String event : List.of("conversation:join", "conversation:leave", "message:send", "typing:start", "typing:stop")) {
            send(alice, event, "{\"conversation_id\":\"" + longId + "\",\"type\":\"text\",\"content\":\"hi\"}");
            JsonNode e = take(alice).get(0);
            assertEquals("VALIDATION_ERROR", e.path("data").path("code").asText(), event);
            assertEquals("conversation_id", e.path("data").path("details").path("field").asText(), event);
        }
        for (String event : List.of("message:read", "message:delete")) {
            send(alice, event, "{\"conversation_id\":\"" + conv + "\",\"message_id\":\"" + longId + "\"}");
            JsonNode e = take(alice).get(0);
            assertEquals("VALIDATION_ERROR", e.path("data").path("code").asText(), event);
            assertEquals("message_id", e.path("data").path("details").path("field").asText(), event);
        }
        ChatException history = assertThrows(ChatException.class,
                () -> herald.chat.history(longId, "alice", null, null, herald.context, Instant.now()));
        assertEquals("conversation_id", history.field());
        assertEquals("conversation_id", assertThrows(ChatException.class, () -> herald.chat.conversation(longId)).field());
        assertEquals("conversation_id",
                assertThrows(ChatException.class, () -> herald.chat.delete(longId, herald.context, Instant.now())).field());
    }

    @Test
    void an_unknown_event_should_not_echo_the_clients_input_back() {
        String alice = chat("alice");
        String event = "e".repeat(30_000);
        send(alice, event, "{}");
        JsonNode e = take(alice).get(0);
        assertEquals("INVALID_MESSAGE_TYPE", e.path("data").path("code").asText());
        assertTrue(Json.write(e).length() < 600, "error frame of " + Json.write(e).length() + " characters");
        assertTrue(e.path("data").path("request_event").asText().startsWith("eeee"));
        send(alice, "message:send", "{\"conversation_id\":\"" + conversation("alice") + "\",\"type\":\"" + "t".repeat(20_000)
                + "\",\"content\":\"x\"}");
        JsonNode t = take(alice).get(0);
        assertEquals("INVALID_MESSAGE_TYPE", t.path("data").path("code").asText());
        assertTrue(Json.write(t).length() < 600, "error frame of " + Json.write(t).length() + " characters");
    }
}
