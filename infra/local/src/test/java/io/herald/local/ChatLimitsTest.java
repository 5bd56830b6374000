package io.herald.local;

import static io.herald.local.ChatConformanceTest.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * The chat document's limits, connection rules and content protection through the local stack
 * with real WebSocket clients. Windows open with a user's first event, so a test that sends 31
 * messages within a minute meets the limit wherever the clock stands; nothing waits for a minute.
 */
class ChatLimitsTest {
    /** The document's numbers, and a blocked word. */
    static LocalStack stack;
    /** Room for many messages and connections: the conversation and connection-rate budgets alone. */
    static LocalStack roomy;
    static final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        stack = new LocalStack(LocalOptions.defaults().withPort(0).withParameter("ChatBlockedWords", "darn, /fr[o0]b+/")).start();
        roomy = new LocalStack(LocalOptions.defaults().withPort(0).withParameter("ChatMessagesPerMinute", "200")
                .withParameter("ChatMaxConnectionsPerUser", "20")).start();
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
        if (roomy != null) roomy.close();
    }

    static String u(String name) {
        return name + "-" + UUID.randomUUID().toString().substring(0, 6);
    }

    static String conversation(LocalStack s, String... members) throws Exception {
        String id = "conv-" + UUID.randomUUID();
        List<String> quoted = new ArrayList<>();
        for (String m : members) quoted.add("\"" + m + "\"");
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(s.httpUrl() + "/conversations/" + id))
                .header("Authorization", "Bearer " + s.demoToken()).PUT(HttpRequest.BodyPublishers.ofString("{\"members\":" + quoted + "}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode(), r.body());
        return id;
    }

    static String url(LocalStack s) {
        return s.webSocketUrl() + "?protocol=chat";
    }

    static WsClient chat(LocalStack s, String user) throws Exception {
        WsClient c = WsClient.connect(url(s), null, Map.of("Authorization", "Bearer " + s.token(user)));
        data(c.nextOfType("event", "connection:established"), "connection:established");
        return c;
    }

    static int refused(LocalStack s, String user) throws Exception {
        return WsClient.refusedStatus(url(s), "Authorization", "Bearer " + s.token(user));
    }

    /** The user's open-connection count as the connect limit holds it (its quota item in the ledger table). */
    static long openUnits(LocalStack s, String user) {
        var item = s.dynamo().getItem(b -> b.tableName("LedgerTable").consistentRead(true)
                .key(Map.of("pk", AttributeValue.fromS("quota#user#chat#" + user)))).item();
        return item.containsKey("n") ? Long.parseLong(item.get("n").n()) : -1;
    }

    static String send(String conv, String content) {
        return ChatConformanceTest.send(conv, "text", content);
    }

    /** The next message:new or error frame. */
    static JsonNode outcome(WsClient c) throws InterruptedException {
        return c.next(n -> "message:new".equals(n.path("event").asText()) || "error".equals(n.path("event").asText()));
    }

    static JsonNode rateLimited(WsClient c, String limit, String requestEvent) throws InterruptedException {
        JsonNode d = data(c.nextOfType("event", "error"), "error");
        assertEquals("RATE_LIMITED", d.get("code").asText(), d.toString());
        assertEquals(requestEvent, d.get("request_event").asText());
        assertEquals(limit, d.get("details").get("limit").asText());
        long retry = d.get("details").get("retry_after_seconds").asLong();
        assertTrue(retry >= 1 && retry <= 60, d.toString());
        return d;
    }

    @Test
    void the_31st_message_in_a_minute_is_rate_limited_and_neither_stored_nor_delivered() throws Exception {
        String alice = u("alice");
        String bob = u("bob");
        String conv = conversation(stack, alice, bob);
        try (WsClient a = chat(stack, alice); WsClient b = chat(stack, bob)) {
            b.send(ChatConformanceTest.ev("conversation:join", conv));
            data(b.nextOfType("event", "conversation:joined"), "conversation:joined");
            for (int i = 1; i <= 30; i++) {
                a.send(send(conv, "m" + i));
                assertEquals("m" + i, data(outcome(a), "message:new").get("message").get("content").asText());
            }
            a.send(send(conv, "m31"));
            rateLimited(a, "messages_per_minute", "message:send");
            // the socket stays open; bob got 30 messages and not the 31st; history holds 30
            a.send(ChatConformanceTest.ev("conversation:join", conv));
            data(a.nextOfType("event", "conversation:joined"), "conversation:joined");
            for (int i = 1; i <= 30; i++) {
                assertEquals("m" + i, data(b.nextOfType("event", "message:new"), "message:new").get("message").get("content").asText());
            }
            String extra = b.quiet(300);
            assertTrue(extra == null || !extra.contains("m31"), extra);
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/conversations/" + conv + "/messages?limit=100"))
                    .header("Authorization", "Bearer " + stack.token(alice)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(30, io.herald.core.json.Json.parse(h.body()).get("messages").size());
        }
    }

    @Test
    void two_connections_of_one_user_sending_at_once_share_one_budget() throws Exception {
        String carol = u("carol");
        String conv = conversation(stack, carol, u("dan"));
        try (WsClient one = chat(stack, carol); WsClient two = chat(stack, carol)) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<int[]>> fs = new ArrayList<>();
            for (WsClient c : List.of(one, two)) {
                fs.add(pool.submit(() -> {
                    go.await();
                    for (int i = 0; i < 25; i++) c.send(send(conv, "x" + i));
                    int[] n = new int[2];
                    for (int i = 0; i < 25; i++) {
                        if ("error".equals(outcome(c).get("event").asText())) n[1]++;
                        else n[0]++;
                    }
                    return n;
                }));
            }
            go.countDown();
            int ok = 0;
            int limited = 0;
            for (Future<int[]> f : fs) {
                int[] n = f.get(60, TimeUnit.SECONDS);
                ok += n[0];
                limited += n[1];
            }
            pool.shutdown();
            assertEquals(30, ok);
            assertEquals(20, limited);
        }
    }

    @Test
    void the_21st_typing_indicator_in_a_minute_is_rate_limited_and_a_stop_never_is() throws Exception {
        String erin = u("erin");
        String frank = u("frank");
        String conv = conversation(stack, erin, frank);
        try (WsClient e = chat(stack, erin); WsClient f = chat(stack, frank)) {
            f.send(ChatConformanceTest.ev("conversation:join", conv));
            data(f.nextOfType("event", "conversation:joined"), "conversation:joined");
            for (int i = 0; i < 20; i++) {
                e.send(ChatConformanceTest.ev("typing:start", conv));
                assertTrue(data(f.nextOfType("event", "typing:indicator"), "typing:indicator").get("is_typing").asBoolean());
            }
            e.send(ChatConformanceTest.ev("typing:start", conv));
            rateLimited(e, "typing_per_minute", "typing:start");
            e.send(ChatConformanceTest.ev("typing:stop", conv));
            f.next(n -> "typing:indicator".equals(n.path("event").asText()) && !n.path("data").path("is_typing").asBoolean());
        }
    }

    @Test
    void the_6th_connection_of_a_user_is_refused_with_429_and_a_closed_one_makes_room() throws Exception {
        String gina = u("gina");
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 5; i++) open.add(chat(stack, gina));
            assertEquals(429, refused(stack, gina));
            assertEquals(101, refused(roomy, gina)); // another deployment, another budget: the refusal was the limit
            open.remove(0).close();
            // $disconnect gives the unit back; then one handshake (the 7th this minute) gets in. Not a
            // retry loop: every handshake, refused or not, spends one of the 10 connections a minute
            LocalStackEndToEndTest.waitUntil(() -> openUnits(stack, gina) == 4);
            assertEquals(101, refused(stack, gina));
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    void the_11th_connection_within_a_minute_is_refused_with_429() throws Exception {
        String hal = u("hal");
        List<WsClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < 10; i++) open.add(chat(roomy, hal));
            assertEquals(429, refused(roomy, hal));
        } finally {
            open.forEach(WsClient::close);
        }
    }

    @Test
    void the_51st_new_conversation_in_a_day_is_rate_limited_but_old_ones_go_on() throws Exception {
        String ivy = u("ivy");
        List<String> convs = new ArrayList<>();
        for (int i = 0; i < 51; i++) convs.add(conversation(roomy, ivy, u("p")));
        try (WsClient c = chat(roomy, ivy)) {
            for (int i = 0; i < 50; i++) {
                c.send(send(convs.get(i), "hello " + i));
                data(outcome(c), "message:new");
            }
            c.send(send(convs.get(50), "hello 50"));
            JsonNode d = data(c.nextOfType("event", "error"), "error");
            assertEquals("RATE_LIMITED", d.get("code").asText());
            assertEquals("conversations_per_day", d.get("details").get("limit").asText());
            // a conversation already started is not a new one
            c.send(send(convs.get(0), "still here"));
            assertEquals("still here", data(outcome(c), "message:new").get("message").get("content").asText());
        }
    }

    @Test
    void a_40_kb_message_in_two_fragments_is_too_large_and_the_socket_stays_open() throws Exception {
        String jo = u("jo");
        String conv = conversation(stack, jo, u("kim"));
        try (WsClient c = chat(stack, jo)) {
            String body = send(conv, "y".repeat(40 * 1024 - 120));
            int half = body.length() / 2;
            c.socket.sendText(body.substring(0, half), false).join();
            c.socket.sendText(body.substring(half), true).join();
            JsonNode d = data(c.nextOfType("event", "error"), "error");
            assertEquals("MESSAGE_TOO_LARGE", d.get("code").asText(), d.toString());
            c.send(send(conv, "small"));
            assertEquals("small", data(outcome(c), "message:new").get("message").get("content").asText());
        }
    }

    @Test
    void personal_data_is_masked_for_recipients_and_in_the_senders_acknowledgement() throws Exception {
        String lea = u("lea");
        String max = u("max");
        String conv = conversation(stack, lea, max);
        try (WsClient a = chat(stack, lea); WsClient b = chat(stack, max)) {
            b.send(ChatConformanceTest.ev("conversation:join", conv));
            data(b.nextOfType("event", "conversation:joined"), "conversation:joined");
            a.send(send(conv, "mail lea@example.com, call +49 30 1234567 or 030 7654321, card 4111 1111 1111 1111, on 2025-01-15 for $1299.00"));
            String expected = "mail [email], call [phone] or [phone], card [card], on 2025-01-15 for $1299.00";
            assertEquals(expected, data(outcome(a), "message:new").get("message").get("content").asText());
            assertEquals(expected, data(b.nextOfType("event", "message:new"), "message:new").get("message").get("content").asText());
            HttpResponse<String> h = http.send(HttpRequest.newBuilder(URI.create(stack.httpUrl() + "/conversations/" + conv + "/messages"))
                    .header("Authorization", "Bearer " + stack.token(max)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(expected, io.herald.core.json.Json.parse(h.body()).get("messages").get(0).get("content").asText());

            // a blocked word (from the ChatBlockedWords parameter) is masked; an encrypted message passes untouched
            a.send(send(conv, "Darn, that fr0bb"));
            assertEquals("****, that *****", data(outcome(a), "message:new").get("message").get("content").asText());
            String sealed = "{\"event\":\"message:send\",\"data\":{\"conversation_id\":\"" + conv
                    + "\",\"type\":\"text\",\"content\":\"darn lea@example.com\",\"metadata\":{\"encrypted\":true}}}";
            a.send(sealed);
            JsonNode m = data(outcome(a), "message:new").get("message");
            assertEquals("darn lea@example.com", m.get("content").asText());
            assertTrue(m.get("metadata").get("encrypted").asBoolean());
        }
    }

    @Test
    void personal_data_and_blocked_words_can_be_refused_instead() throws Exception {
        try (LocalStack strict = new LocalStack(LocalOptions.defaults().withPort(0).withParameter("ChatPersonalData", "reject")
                .withParameter("ChatBlockedWords", "darn").withParameter("ChatBlockedAction", "reject")).start()) {
            String nia = u("nia");
            String conv = conversation(strict, nia, u("oli"));
            try (WsClient c = chat(strict, nia)) {
                c.send(send(conv, "write to nia@example.com"));
                JsonNode d = data(c.nextOfType("event", "error"), "error");
                assertEquals("VALIDATION_ERROR", d.get("code").asText());
                assertEquals("content", d.get("details").get("field").asText());
                c.send(send(conv, "oh darn"));
                assertEquals("VALIDATION_ERROR", data(c.nextOfType("event", "error"), "error").get("code").asText());
                c.send(send(conv, "fine"));
                assertEquals("fine", data(outcome(c), "message:new").get("message").get("content").asText());
            }
        }
    }
}
