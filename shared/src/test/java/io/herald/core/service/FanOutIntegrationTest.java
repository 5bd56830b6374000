package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.dynamodb.StoredSubscriptions;
import io.herald.core.json.Json;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.Publication;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.Fixture;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.Tokens;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A whole publication through the embedded DynamoDB engine, the signed Management API calls and
 * an HTTP server that answers like the Management API (200, 410, 429 on demand).
 */
class FanOutIntegrationTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    RecordingManagementApi api;
    Fixture herald;
    EmbeddedDynamoDb.Tables tables;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        tables = ddb.createTables();
        herald = Fixture.onEngine(ddb, tables, api, HeraldConfig.defaults());
    }

    @AfterEach
    void tearDown() {
        api.close();
        assertEquals(List.of(), api.badSignatures, "every Management API call is SigV4-signed for execute-api");
    }

    private void subscriber(String id, String user, String topic) {
        assertEquals(200, herald.connect(id, "token", Tokens.forUser(user)).status());
        herald.send(id, "{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
    }

    private PublishService.Result publish(String id, String topic) {
        return herald.services.publisher.publish(new Publication(id, "message.sent", List.of(topic),
                Json.object().put("content", "hi"), null), Instant.now());
    }

    @Test
    void gone_cleanup_should_remove_exactly_the_gone_connection() {
        subscriber("alive", "u1", "messages.channel.general");
        subscriber("dead", "u2", "messages.channel.general");
        subscriber("bystander", "u3", "messages.channel.other");
        api.markGone("dead");

        // later than the connect window: a 410 then means gone, not "$connect has not returned"
        PublishService.Result r = herald.services.publisher.publish(new Publication(null, "message.sent",
                List.of("messages.channel.general"), Json.object().put("content", "hi"), null),
                Instant.now().plus(ConnectWindow.YOUNG).plusSeconds(1));

        assertEquals(2, r.matched());
        assertEquals(1, r.delivered());
        assertEquals(1, r.gone());
        var store = herald.services.registry;
        assertTrue(store.connections().get("dead", Instant.now()).isEmpty());
        assertTrue(StoredSubscriptions.of(ddb.client(), tables.subscriptions(), "dead").isEmpty());
        assertTrue(store.connections().get("alive", Instant.now()).isPresent());
        assertEquals(1, StoredSubscriptions.of(ddb.client(), tables.subscriptions(), "alive").size());
        assertTrue(store.connections().get("bystander", Instant.now()).isPresent());
        assertTrue(api.to("alive").stream().anyMatch(f -> f.contains("\"content\":\"hi\"")));
    }

    @Test
    void throttled_posts_should_be_retried_until_delivered() {
        subscriber("c1", "u1", "messages.channel.general");
        api.throttle("c1", 2);
        int before = api.attempts.get("c1").get();
        PublishService.Result r = publish(null, "messages.channel.general");
        assertEquals(1, r.delivered());
        assertEquals(2, r.retried());
        assertEquals(before + 3, api.attempts.get("c1").get());
    }

    @Test
    void a_publication_id_should_be_delivered_once() {
        subscriber("c1", "u1", "messages.channel.general");
        int before = api.to("c1").size();
        assertEquals(1, publish("order-1", "messages.channel.general").delivered());
        PublishService.Result again = publish("order-1", "messages.channel.general");
        assertTrue(again.duplicate());
        assertEquals(0, again.delivered());
        assertEquals(before + 1, api.to("c1").size());
    }

    @Test
    void fan_out_should_read_only_the_matching_subscriptions() {
        subscriber("s1", "u1", "raffles.r-7");
        subscriber("s2", "u2", "raffles.r-7");
        subscriber("s3", "u3", "raffles.r-7");
        for (int i = 0; i < 1000; i++) {
            String id = "n" + i;
            herald.services.registry.register(new io.herald.core.model.Connection(id, "x" + i, "topics", Instant.now(),
                    null, null, Map.of(), Instant.now().plusSeconds(7200).getEpochSecond()), 0, Instant.now());
            herald.services.registry.subscribe(herald.connection(id),
                    io.herald.core.model.SubscriptionSpec.of(io.herald.core.topic.TopicPattern.parse("raffles.other-" + i)),
                    100, Instant.now());
        }
        ddb.resetCounters();
        PublishService.Result r = publish(null, "raffles.r-7");
        assertEquals(3, r.delivered());
        assertEquals(0, ddb.scans.get(), "fan-out never scans");
        assertEquals(3, ddb.itemsQueried.get(), "only the three matching subscriptions are read");
    }

    @Test
    void an_oversized_message_should_be_refused_before_any_post() {
        subscriber("c1", "u1", "messages.channel.general");
        int before = api.to("c1").size();
        String big = "x".repeat(HeraldConfig.API_GATEWAY_MESSAGE_LIMIT);
        InvalidPublicationException e = assertThrows(InvalidPublicationException.class, () -> herald.services.publisher.publish(
                new Publication("big-1", "t", List.of("messages.channel.general"), Json.object().put("blob", big), null),
                Instant.now()));
        assertTrue(e.isTooLarge());
        assertTrue(e.getMessage().contains("131072"), e.getMessage());
        assertEquals(before, api.to("c1").size());
    }

    @Test
    void every_publish_should_log_one_structured_line() {
        subscriber("c1", "u1", "messages.channel.general");
        herald.log.clear();
        publish("p-9", "messages.channel.general");
        var lines = herald.log.stream().filter(l -> l.path("event").asText().equals("publish")).toList();
        assertEquals(1, lines.size());
        var l = lines.get(0);
        for (String f : new String[] {"publicationId", "type", "topics", "matched", "delivered", "gone", "retried", "failed", "durationMs"}) {
            assertTrue(l.has(f), "log line lacks " + f + ": " + l);
        }
        assertEquals("p-9", l.get("publicationId").asText());
    }
}
