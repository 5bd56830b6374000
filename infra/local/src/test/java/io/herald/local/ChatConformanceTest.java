package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.herald.core.json.Json;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ShardIteratorType;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * The chat document (seed 002) replayed through the local stack with real WebSocket clients:
 * every event both ways, exact field sets and JSON types, the documented errors, the HTTP API.
 */
class ChatConformanceTest {
    static LocalStack stack;
    static final HttpClient http = HttpClient.newHttpClient();
    static final String SECONDS = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(LocalOptions.defaults().withPort(0).withParameter("TypingExpirySeconds", "1")).start();
    }

    @AfterAll
    static void stop() {
        stack.close();
    }

    static void keys(JsonNode n, String... expected) {
        Set<String> actual = new TreeSet<>();
        n.fieldNames().forEachRemaining(actual::add);
        assertEquals(new TreeSet<>(List.of(expected)), actual, "fields of " + n);
    }

    /** An envelope {event, data, timestamp} of the given event; returns data. */
    static JsonNode data(JsonNode frame, String event) {
        keys(frame, "event", "data", "timestamp");
        assertEquals(event, frame.get("event").asText(), frame.toString());
        assertTrue(frame.get("timestamp").asText().matches(SECONDS), frame.toString());
        return frame.get("data");
    }

    static HttpResponse<String> call(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(stack.httpUrl() + path)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String conversation(String... members) throws Exception {
        String id = "conv-" + UUID.randomUUID();
        List<String> quoted = new ArrayList<>();
        for (String m : members) quoted.add("\"" + m + "\"");
        HttpResponse<String> r = call("PUT", "/conversations/" + id, stack.demoToken(), "{\"members\":" + quoted + "}");
        assertEquals(200, r.statusCode(), r.body());
        JsonNode k = Json.parse(r.body());
        keys(k, "conversation_id", "members", "created_at", "updated_at");
        return id;
    }

    /** Connects as {@code user} with the document's header and waits for connection:established. */
    static WsClient chat(String user) throws Exception {
        WsClient c = WsClient.connect(stack.webSocketUrl() + "?protocol=chat", null,
                Map.of("Authorization", "Bearer " + stack.token(user)));
        JsonNode d = data(c.nextOfType("event", "connection:established"), "connection:established");
        keys(d, "user_id", "connection_id", "timestamp");
        assertEquals(user, d.get("user_id").asText());
        assertTrue(d.get("timestamp").asText().matches(SECONDS));
        return c;
    }

    static String send(String conv, String type, String content) {
        return "{\"event\":\"message:send\",\"data\":{\"conversation_id\":\"" + conv + "\",\"content\":" + Json.write(Json.MAPPER.valueToTree(content))
                + ",\"type\":\"" + type + "\",\"metadata\":{}}}";
    }

    static String ev(String event, String conv) {
        return "{\"event\":\"" + event + "\",\"data\":{\"conversation_id\":\"" + conv + "\"}}";
    }

    static JsonNode error(WsClient c, String code, String requestEvent) throws Exception {
        JsonNode d = data(c.nextOfType("event", "error"), "error");
        assertEquals(code, d.get("code").asText(), d.toString());
        assertTrue(d.get("message").isTextual());
        if (requestEvent == null) assertTrue(d.get("request_event").isNull());
        else assertEquals(requestEvent, d.get("request_event").asText());
        return d;
    }

    static String u(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    @Test
    void connect_needs_a_token_and_accepts_header_query_and_subprotocol() throws Exception {
        assertEquals(401, WsClient.refusedStatus(stack.webSocketUrl() + "?protocol=chat"));
        assertEquals(401, WsClient.refusedStatus(stack.webSocketUrl() + "?protocol=chat&token=bad.token.here"));
        String user = u("q");
        try (WsClient c = WsClient.connect(stack.webSocketUrl() + "?protocol=chat&token=" + stack.token(user))) {
            assertEquals(user, data(c.nextOfType("event", "connection:established"), "connection:established").get("user_id").asText());
        }
        try (WsClient c = WsClient.connect(stack.webSocketUrl(), "chat", Map.of("Authorization", "Bearer " + stack.token(user)))) {
            assertEquals("chat", c.socket.getSubprotocol());
            data(c.nextOfType("event", "connection:established"), "connection:established");
        }
    }

    @Test
    void a_conversation_end_to_end() throws Exception {
        String alice = u("alice");
        String bob = u("bob");
        String conv = conversation(alice, bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            // bob came online after alice: alice hears of it
            JsonNode online = data(a.nextOfType("event", "user:online"), "user:online");
            keys(online, "user_id", "username", "online_at");
            assertEquals(bob, online.get("user_id").asText());

            a.send(ev("conversation:join", conv));
            JsonNode joined = data(a.nextOfType("event", "conversation:joined"), "conversation:joined");
            keys(joined, "conversation_id", "joined_at");
            assertEquals(conv, joined.get("conversation_id").asText());

            // bob is online but not in the room: conversation:unread with his exact count
            a.send(send(conv, "text", "Hey! How are you?"));
            JsonNode ack = data(a.nextOfType("event", "message:new"), "message:new");
            keys(ack, "message", "sender");
            JsonNode m = ack.get("message");
            keys(m, "id", "conversation_id", "sender_id", "content", "type", "created_at", "updated_at", "is_read", "metadata");
            assertEquals(26, m.get("id").asText().length());
            assertEquals(alice, m.get("sender_id").asText());
            assertEquals("Hey! How are you?", m.get("content").asText());
            assertFalse(m.get("is_read").asBoolean());
            assertTrue(m.get("is_read").isBoolean() && m.get("metadata").isObject());
            keys(ack.get("sender"), "id", "username", "avatar_url");
            JsonNode unread = data(b.nextOfType("event", "conversation:unread"), "conversation:unread");
            keys(unread, "conversation_id", "unread_count", "last_message");
            assertEquals(1, unread.get("unread_count").asLong());
            assertTrue(unread.get("unread_count").isIntegralNumber());
            keys(unread.get("last_message"), "id", "content", "type", "sender_id", "created_at");
            JsonNode delivered = data(a.nextOfType("event", "message:delivered"), "message:delivered");
            keys(delivered, "message_id", "conversation_id", "delivered_at");
            assertEquals(m.get("id").asText(), delivered.get("message_id").asText());

            a.send(send(conv, "text", "Still there?"));
            String second = data(a.nextOfType("event", "message:new"), "message:new").get("message").get("id").asText();
            assertEquals(2, data(b.nextOfType("event", "conversation:unread"), "conversation:unread").get("unread_count").asLong());
            assertTrue(second.compareTo(m.get("id").asText()) > 0, "ids sort by time");
            b.neverReceived("event", "message:new", 0); // message:new would have come before each unread

            // bob joins: now message:new reaches him, not conversation:unread
            b.send(ev("conversation:join", conv));
            data(b.nextOfType("event", "conversation:joined"), "conversation:joined");
            a.send(send(conv, "photo", "https://example.com/p.jpg"));
            JsonNode photo = data(b.nextOfType("event", "message:new"), "message:new");
            assertEquals("photo", photo.get("message").get("type").asText());
            String third = photo.get("message").get("id").asText();

            // typing: to the other member, never back to the typist
            b.send(ev("typing:start", conv));
            JsonNode typing = data(a.nextOfType("event", "typing:indicator"), "typing:indicator");
            keys(typing, "conversation_id", "user_id", "username", "is_typing", "timestamp");
            assertTrue(typing.get("is_typing").asBoolean());
            assertEquals(bob, typing.get("user_id").asText());
            b.send(ev("typing:stop", conv));
            assertFalse(data(a.nextOfType("event", "typing:indicator"), "typing:indicator").get("is_typing").asBoolean());
            b.neverReceived("event", "typing:indicator", 300);

            // bob reads up to the second message: one unread left, both see message:viewed
            b.send("{\"event\":\"message:read\",\"data\":{\"conversation_id\":\"" + conv + "\",\"message_id\":\"" + second + "\"}}");
            JsonNode viewed = data(a.nextOfType("event", "message:viewed"), "message:viewed");
            keys(viewed, "message_id", "conversation_id", "viewed_at");
            assertEquals(second, viewed.get("message_id").asText());
            data(b.nextOfType("event", "message:viewed"), "message:viewed");

            // history with the member's own token
            HttpResponse<String> h = call("GET", "/conversations/" + conv + "/messages?limit=2", stack.token(bob), null);
            assertEquals(200, h.statusCode(), h.body());
            JsonNode page = Json.parse(h.body());
            keys(page, "messages", "next_before");
            assertEquals(third, page.get("messages").get(0).get("id").asText(), "newest first");
            assertFalse(page.get("messages").get(0).get("is_read").asBoolean());
            assertTrue(page.get("messages").get(1).get("is_read").asBoolean(), "read up to the second message");
            assertEquals(second, page.get("next_before").asText());
            JsonNode rest = Json.parse(call("GET", "/conversations/" + conv + "/messages?before=" + second, stack.token(bob), null).body());
            assertEquals(1, rest.get("messages").size());
            assertTrue(rest.get("next_before").isNull());

            // either participant deletes; history leaves it out
            b.send("{\"event\":\"message:delete\",\"data\":{\"conversation_id\":\"" + conv + "\",\"message_id\":\"" + second + "\"}}");
            JsonNode deleted = data(a.nextOfType("event", "message:deleted"), "message:deleted");
            keys(deleted, "message_id", "conversation_id", "deleted_by", "deleted_at");
            assertEquals(bob, deleted.get("deleted_by").asText());
            data(b.nextOfType("event", "message:deleted"), "message:deleted");
            JsonNode after = Json.parse(call("GET", "/conversations/" + conv + "/messages", stack.token(alice), null).body());
            assertEquals(2, after.get("messages").size());
            after.get("messages").forEach(x -> assertFalse(x.get("id").asText().equals(second)));

            // bob read up to the second: the third is his one unread; leaving the room, the next counts 2
            b.send(ev("conversation:leave", conv));
            data(b.nextOfType("event", "conversation:left"), "conversation:left");
            a.send(send(conv, "text", "one more"));
            String fourth = data(a.nextOfType("event", "message:new"), "message:new").get("message").get("id").asText();
            assertEquals(2, data(b.nextOfType("event", "conversation:unread"), "conversation:unread").get("unread_count").asLong());
            // a deleted message he never read is no longer unread
            a.send("{\"event\":\"message:delete\",\"data\":{\"conversation_id\":\"" + conv + "\",\"message_id\":\"" + third + "\"}}");
            data(a.nextOfType("event", "message:deleted"), "message:deleted");
            a.send(send(conv, "text", "last one"));
            data(a.nextOfType("event", "message:new"), "message:new");
            assertEquals(2, data(b.nextOfType("event", "conversation:unread"), "conversation:unread").get("unread_count").asLong(),
                    "the fourth and this one");
            assertTrue(fourth.compareTo(third) > 0);

            a.send("{\"event\":\"user:status\",\"data\":{\"status\":\"away\"}}");
            JsonNode status = data(b.nextOfType("event", "user:status_updated"), "user:status_updated");
            keys(status, "user_id", "status", "updated_at");
            assertEquals("away", status.get("status").asText());
            data(a.nextOfType("event", "user:status_updated"), "user:status_updated");

            a.send(ev("conversation:leave", conv));
            JsonNode left = data(a.nextOfType("event", "conversation:left"), "conversation:left");
            keys(left, "conversation_id", "left_at");

            // bob's last connection closes: alice hears user:offline through $disconnect
            b.close();
            JsonNode offline = data(a.nextOfType("event", "user:offline"), "user:offline");
            keys(offline, "user_id", "username", "offline_at");
            assertEquals(bob, offline.get("user_id").asText());
        }
    }

    @Test
    void a_typist_who_vanishes_stops_typing_for_the_partner() throws Exception {
        String alice = u("alice");
        String bob = u("bob");
        String conv = conversation(alice, bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            a.send(ev("conversation:join", conv));
            data(a.nextOfType("event", "conversation:joined"), "conversation:joined");
            b.send(ev("typing:start", conv));
            assertTrue(data(a.nextOfType("event", "typing:indicator"), "typing:indicator").get("is_typing").asBoolean());
            b.vanish();
            // TypingExpirySeconds=1 for this stack: the expiry clears it
            JsonNode stop = data(a.nextOfType("event", "typing:indicator"), "typing:indicator");
            assertFalse(stop.get("is_typing").asBoolean());
            assertEquals(bob, stop.get("user_id").asText());
        }
    }

    /** A connection whose $disconnect never comes: DynamoDB's TTL removes it, the stream's REMOVE record says offline. */
    @Test
    void a_connection_that_only_expires_should_go_offline() throws Exception {
        String alice = u("alice");
        String bob = u("bob");
        conversation(alice, bob);
        try (WsClient a = chat(alice); WsClient b = chat(bob)) {
            data(a.nextOfType("event", "user:online"), "user:online");
            String id = stack.dynamo().query(q -> q.tableName("ConnectionsTable").indexName("byUser").keyConditionExpression("userId = :u")
                    .expressionAttributeValues(Map.of(":u", AttributeValue.fromS(bob)))).items().get(0).get("connectionId").s();
            // its lifetime is over (as if API Gateway's $disconnect were lost): the engine's TTL sweep deletes it
            stack.dynamo().updateItem(q -> q.tableName("ConnectionsTable").key(Map.of("connectionId", AttributeValue.fromS(id)))
                    .updateExpression("SET #t = :past").expressionAttributeNames(Map.of("#t", "ttl"))
                    .expressionAttributeValues(Map.of(":past", AttributeValue.fromN(Long.toString(System.currentTimeMillis() / 1000 - 1)))));
            JsonNode offline = null;
            for (int i = 0; i < 3 && offline == null; i++) { // a sweep every 5 s, then the stream
                try {
                    offline = a.nextOfType("event", "user:offline");
                } catch (AssertionError notYet) {
                    // keep listening
                }
            }
            assertTrue(offline != null, "no user:offline within 30 s");
            keys(data(offline, "user:offline"), "user_id", "username", "offline_at");
            assertEquals(bob, offline.get("data").get("user_id").asText());
            b.close(); // the socket's own close finds the connection gone: no second user:offline
            for (String f; (f = a.quiet(1500)) != null; ) assertFalse(f.contains("user:offline"), f);
        }
    }

    @Test
    void a_stored_status_should_reach_a_member_who_joins_later() throws Exception {
        String alice = u("alice");
        String bob = u("bob");
        String conv = conversation(alice, bob);
        try (WsClient b = chat(bob)) {
            b.send("{\"event\":\"user:status\",\"data\":{\"status\":\"busy\"}}");
            data(b.nextOfType("event", "user:status_updated"), "user:status_updated");
            try (WsClient a = chat(alice)) {
                a.send(ev("conversation:join", conv));
                data(a.nextOfType("event", "conversation:joined"), "conversation:joined");
                JsonNode status = data(a.nextOfType("event", "user:status_updated"), "user:status_updated");
                keys(status, "user_id", "status", "updated_at");
                assertEquals(bob, status.get("user_id").asText());
                assertEquals("busy", status.get("status").asText());
                assertTrue(status.get("updated_at").asText().matches(SECONDS));
            }
        }
    }

    @Test
    void documented_errors_keep_the_socket() throws Exception {
        String alice = u("alice");
        String stranger = u("eve");
        String conv = conversation(alice, u("bob"));
        try (WsClient a = chat(alice); WsClient e = chat(stranger)) {
            a.send("{not json");
            error(a, "VALIDATION_ERROR", null);
            a.send("{\"event\":\"message:explode\",\"data\":{}}");
            error(a, "INVALID_MESSAGE_TYPE", "message:explode");
            a.send(send(conv, "hologram", "x"));
            assertEquals("type", error(a, "INVALID_MESSAGE_TYPE", "message:send").get("details").get("field").asText());
            a.send(send(conv, "text", ""));
            JsonNode empty = error(a, "VALIDATION_ERROR", "message:send");
            keys(empty, "code", "message", "details", "request_event");
            keys(empty.get("details"), "field", "error");
            assertEquals("content", empty.get("details").get("field").asText());
            a.send("{\"event\":\"message:send\",\"data\":{\"content\":\"hi\",\"type\":\"text\"}}");
            assertEquals("conversation_id", error(a, "VALIDATION_ERROR", "message:send").get("details").get("field").asText());
            a.send(send(conv, "text", "x".repeat(2001)));
            error(a, "VALIDATION_ERROR", "message:send");
            a.send(send(conv, "photo", "http://example.com/p.jpg"));
            error(a, "VALIDATION_ERROR", "message:send");
            a.send(send(conv, "system", "I am the system"));
            error(a, "FORBIDDEN", "message:send");
            a.send("{\"event\":\"message:send\",\"data\":{\"conversation_id\":\"" + conv
                    + "\",\"type\":\"location\",\"content\":\"\",\"metadata\":{\"latitude\":52.5,\"longitude\":13.4}}}");
            assertEquals("location", data(a.nextOfType("event", "message:new"), "message:new").get("message").get("type").asText());

            e.send(ev("conversation:join", conv));
            error(e, "FORBIDDEN", "conversation:join");
            e.send(send(conv, "text", "hi"));
            error(e, "FORBIDDEN", "message:send");
            e.send(ev("conversation:join", "conv-unknown-" + UUID.randomUUID()));
            error(e, "NOT_FOUND", "conversation:join");
            a.send("{\"event\":\"message:read\",\"data\":{\"conversation_id\":\"" + conv + "\",\"message_id\":\"01ARZ3NDEKTSV4RRFFQ69G5FAV\"}}");
            error(a, "NOT_FOUND", "message:read");

            assertEquals(403, call("GET", "/conversations/" + conv + "/messages", stack.token(stranger), null).statusCode());
            assertEquals(404, call("GET", "/conversations/nope-" + UUID.randomUUID() + "/messages", stack.token(stranger), null).statusCode());
            assertEquals(400, call("GET", "/conversations/" + conv + "/messages?limit=1000", stack.token(alice), null).statusCode());
            // an id too long for a key is the client's mistake, not ours
            String longId = "x".repeat(2100);
            a.send(ev("conversation:join", longId));
            assertEquals("conversation_id", error(a, "VALIDATION_ERROR", "conversation:join").get("details").get("field").asText());
            a.send("{\"event\":\"message:delete\",\"data\":{\"conversation_id\":\"" + conv + "\",\"message_id\":\"" + longId + "\"}}");
            assertEquals("message_id", error(a, "VALIDATION_ERROR", "message:delete").get("details").get("field").asText());
            HttpResponse<String> tooLong = call("GET", "/conversations/" + longId + "/messages", stack.token(alice), null);
            assertEquals(400, tooLong.statusCode(), tooLong.body());
            assertEquals("conversation_id", Json.parse(tooLong.body()).get("details").get("field").asText());
            assertEquals(400, call("GET", "/conversations/" + longId, stack.demoToken(), null).statusCode());
            // the socket is still open and working
            a.send(ev("conversation:join", conv));
            data(a.nextOfType("event", "conversation:joined"), "conversation:joined");
            e.neverReceived("event", "message:new", 200); // the location message went to members only
            assertNull(e.quiet(0));
        }
    }

    @Test
    void backends_manage_conversations_and_see_messages_on_the_stream() throws Exception {
        String alice = u("alice");
        String conv = conversation(alice, u("bob"));
        String noScope = com.auth0.jwt.JWT.create().withSubject(alice).withExpiresAt(java.time.Instant.now().plusSeconds(600))
                .sign(com.auth0.jwt.algorithms.Algorithm.HMAC256(LocalOptions.DEFAULT_SECRET));
        assertEquals(403, call("PUT", "/conversations/" + conv, noScope, "{\"members\":[\"x\"]}").statusCode());
        assertEquals(401, call("GET", "/conversations/" + conv, "bad.token.value", null).statusCode());
        HttpResponse<String> got = call("GET", "/conversations/" + conv, stack.demoToken(), null);
        assertEquals(200, got.statusCode());
        assertEquals(2, Json.parse(got.body()).get("members").size());
        assertEquals(400, call("PUT", "/conversations/" + conv, stack.demoToken(), "{\"members\":[]}").statusCode());
        assertEquals(400, call("PUT", "/conversations/" + conv, stack.demoToken(), "{not json").statusCode());

        // a publication of type conversation.upserted declares one too
        String viaPublish = "conv-pub-" + UUID.randomUUID();
        HttpResponse<String> p = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/publish"))
                .header("Authorization", "Bearer " + stack.demoToken()).POST(HttpRequest.BodyPublishers.ofString(
                        "{\"type\":\"conversation.upserted\",\"data\":{\"conversation_id\":\"" + viaPublish + "\",\"members\":[\"" + alice + "\"]}}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, p.statusCode(), p.body());
        assertEquals(200, call("GET", "/conversations/" + viaPublish, stack.demoToken(), null).statusCode());

        // ... but a WebSocket client's publication of that type is refused and changes nothing
        String mallory = u("mallory");
        try (WsClient m = WsClient.connect(stack.webSocketUrl() + "?token=" + stack.token(mallory))) {
            m.send("{\"type\":\"message\",\"topic\":\"messages.channel.lobby\",\"eventType\":\"conversation.upserted\","
                    + "\"data\":{\"conversation_id\":\"" + viaPublish + "\",\"members\":[\"" + mallory + "\"]}}");
            JsonNode refused = m.nextOfType("type", "error");
            assertEquals(403, refused.get("code").asInt(), refused.toString());
        }
        JsonNode members = Json.parse(call("GET", "/conversations/" + viaPublish, stack.demoToken(), null).body()).get("members");
        assertEquals(1, members.size());
        assertEquals(alice, members.get(0).asText());

        try (WsClient a = chat(alice)) {
            a.send(send(conv, "text", "for the stream"));
            data(a.nextOfType("event", "message:new"), "message:new");
        }
        // the chat table's stream carries the stored message for backends (push, moderation)
        try (DynamoDbStreamsClient streams = DynamoDbStreamsClient.builder().endpointOverride(URI.create(stack.dynamoEndpoint()))
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"))).build()) {
            String arn = stack.dynamo().describeTable(b -> b.tableName("ChatTable")).table().latestStreamArn();
            boolean found = false;
            for (var shard : streams.describeStream(b -> b.streamArn(arn)).streamDescription().shards()) {
                String[] it = {null};
                it[0] = streams.getShardIterator(b -> b.streamArn(arn).shardId(shard.shardId())
                        .shardIteratorType(ShardIteratorType.TRIM_HORIZON)).shardIterator();
                while (it[0] != null && !found) {
                    var r = streams.getRecords(b0 -> b0.shardIterator(it[0]));
                    for (var rec : r.records()) {
                        var img = rec.dynamodb().newImage();
                        if (img != null && img.containsKey("ct") && "for the stream".equals(img.get("ct").s())) found = true;
                    }
                    if (r.records().isEmpty()) break;
                    it[0] = r.nextShardIterator();
                }
            }
            assertTrue(found, "the stored message is on the chat table's stream");
        }
        assertEquals(200, call("DELETE", "/conversations/" + conv, stack.demoToken(), null).statusCode());
        assertEquals(404, call("GET", "/conversations/" + conv, stack.demoToken(), null).statusCode());
    }
}
