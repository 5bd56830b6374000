package io.herald.functions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.model.Connection;
import io.herald.core.model.InvalidPublicationException;
import io.herald.core.model.SubscriptionSpec;
import io.herald.core.service.Services;
import io.herald.core.topic.TopicPattern;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.RecordingManagementApi;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The publish function's three event shapes: EventBridge, SQS batches, direct invocation. */
class PublishHandlerTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    RecordingManagementApi api;
    PublishHandler handler;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        handler = new PublishHandler(Lambda.baseEnv(ddb, ddb.createTables(), api)); // no JWT settings: it verifies no token
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    static ObjectNode eventBridge(String id, String detail) {
        ObjectNode e = Json.object().put("version", "0").put("id", id).put("detail-type", "order.placed").put("source", "orders");
        e.set("detail", Json.parse(detail));
        return e;
    }

    @Test
    void an_eventbridge_redelivery_should_be_a_duplicate_by_its_event_id() {
        String e = Json.write(eventBridge("eb-1", "{\"topics\":[\"orders.eu\"],\"data\":{\"n\":1}}"));
        assertTrue(!Lambda.invoke(handler, e).path("duplicate").asBoolean());
        assertTrue(Lambda.invoke(handler, e).get("duplicate").asBoolean());
        // another event id with the same content is a new publication
        assertTrue(!Lambda.invoke(handler, Json.write(eventBridge("eb-2", "{\"topics\":[\"orders.eu\"],\"data\":{\"n\":1}}")))
                .path("duplicate").asBoolean());
    }

    @Test
    void an_invalid_eventbridge_event_should_fail_the_invocation_so_eventbridge_retries_then_dead_letters_it() {
        String e = Json.write(eventBridge("eb-3", "{\"data\":\"not an object\"}"));
        assertThrows(InvalidPublicationException.class, () -> Lambda.invoke(handler, e));
    }

    @Test
    void an_sqs_batch_should_report_exactly_its_bad_records() {
        ObjectNode batch = Json.object();
        ArrayNode records = batch.putArray("Records");
        records.addObject().put("messageId", "m-good").put("body", "{\"type\":\"t\",\"topics\":[\"a.b\"],\"data\":{}}");
        records.addObject().put("messageId", "m-not-json").put("body", "{oops");
        records.addObject().put("messageId", "m-eventbridge")
                .put("body", Json.write(eventBridge("eb-4", "{\"topics\":[\"a.b\"],\"data\":{}}")));
        records.addObject().put("messageId", "m-no-type").put("body", "{\"topics\":[\"a.b\"],\"data\":{}}");

        JsonNode r = Lambda.invoke(handler, Json.write(batch));

        ArrayNode failures = (ArrayNode) r.get("batchItemFailures");
        assertEquals(2, failures.size(), r.toString());
        assertEquals("m-not-json", failures.get(0).get("itemIdentifier").asText());
        assertEquals("m-no-type", failures.get(1).get("itemIdentifier").asText());
    }

    @Test
    void an_sqs_redelivery_should_be_suppressed_by_its_message_id() {
        String batch = "{\"Records\":[{\"messageId\":\"m-1\",\"body\":\"{\\\"type\\\":\\\"t\\\",\\\"topics\\\":[\\\"a.b\\\"],\\\"data\\\":{}}\"}]}";
        assertEquals(0, Lambda.invoke(handler, batch).get("batchItemFailures").size());
        assertEquals(0, Lambda.invoke(handler, batch).get("batchItemFailures").size());
        // the direct path sees the id the SQS path gave it: already completed
        assertTrue(Lambda.invoke(handler, "{\"id\":\"sqs:m-1\",\"type\":\"t\",\"topics\":[\"a.b\"],\"data\":{}}")
                .get("duplicate").asBoolean());
    }

    @Test
    void an_invalid_direct_invocation_should_answer_with_the_error_not_throw() {
        JsonNode r = Lambda.invoke(handler, "{\"topics\":[\"a.b\"],\"data\":{}}");
        assertTrue(r.has("error"), r.toString());
        assertTrue(!r.get("error").asText().isBlank());
    }

    @Test
    void an_sqs_record_whose_fan_out_failed_should_be_its_batch_item_failure_and_its_redelivery_deliver_once() {
        PublishHandler publish = withSubscriber("c-retry");
        // every post of the first attempt answers 500: the fan-out cannot finish
        api.failNext("c-retry", 500, RetryPolicy.DEFAULT.maxAttempts());
        String batch = "{\"Records\":[{\"messageId\":\"m-ok\",\"body\":\"{\\\"type\\\":\\\"t\\\",\\\"topics\\\":[\\\"nobody.here\\\"],\\\"data\\\":{}}\"},"
                + "{\"messageId\":\"m-retry\",\"body\":\"{\\\"type\\\":\\\"t\\\",\\\"topics\\\":[\\\"orders.eu\\\"],\\\"data\\\":{\\\"n\\\":1}}\"}]}";

        JsonNode first = Lambda.invoke(publish, batch);
        assertEquals(1, first.get("batchItemFailures").size(), first.toString());
        assertEquals("m-retry", first.get("batchItemFailures").get(0).get("itemIdentifier").asText(), "only the record that failed returns to the queue");
        assertEquals(List.of(), api.to("c-retry"));

        // SQS redelivers the whole batch (m-ok too, if its delete was lost): the claim released, so m-retry runs again
        JsonNode second = Lambda.invoke(publish, batch);
        assertEquals(0, second.get("batchItemFailures").size(), second.toString());
        assertEquals(1, api.to("c-retry").size(), "delivered once, by the redelivery");
        assertEquals(0, Lambda.invoke(publish, batch).get("batchItemFailures").size());
        assertEquals(1, api.to("c-retry").size(), "a redelivery after completion delivers nothing");
    }

    /**
     * With less than the reserve left, records are handed back untouched rather than started and
     * cut off by the timeout (which would fail the whole batch, the records already handled too).
     */
    @Test
    void sqs_records_left_when_time_runs_short_should_be_handed_back_untouched() {
        PublishHandler publish = withSubscriber("c-late");
        String batch = "{\"Records\":[" + sqsRecord("m-1", 1) + "," + sqsRecord("m-2", 2) + "," + sqsRecord("m-3", 3) + "]}";
        // 25 s at the start: no record is taken with under 12.5 s left (the take reserve, at most half)
        long plenty = 25_000, short_ = 10_000;

        // time runs short once the first record's post is made
        JsonNode r = Lambda.invoke(publish, batch, Lambda.remaining(() -> api.to("c-late").isEmpty() ? plenty : short_));

        assertEquals("[{\"itemIdentifier\":\"m-2\"},{\"itemIdentifier\":\"m-3\"}]", Json.write(r.get("batchItemFailures")));
        assertEquals(1, api.to("c-late").size(), "only the first was published");
        JsonNode again = Lambda.invoke(publish, batch, Lambda.remaining(() -> plenty));
        assertEquals(0, again.get("batchItemFailures").size());
        assertEquals(3, api.to("c-late").size(), "the redelivery publishes the two handed back; the first is a duplicate");
    }

    private static String sqsRecord(String messageId, int n) {
        return "{\"messageId\":\"" + messageId + "\",\"body\":\"{\\\"type\\\":\\\"t\\\",\\\"topics\\\":[\\\"orders.eu\\\"],"
                + "\\\"data\\\":{\\\"n\\\":" + n + "}}\"}";
    }

    /** A publish function over fresh tables where {@code connectionId} is subscribed to orders.eu. */
    private PublishHandler withSubscriber(String connectionId) {
        Services herald = Herald.fromEnv(Lambda.baseEnv(ddb, ddb.createTables(), api), Herald.Tokens.UNUSED);
        Instant now = herald.clock.instant();
        Connection c = new Connection(connectionId, "u1", "topics", now, "127.0.0.1", "test", Map.of(), now.plusSeconds(7200).getEpochSecond());
        assertTrue(herald.registry.register(c, 100, now));
        herald.registry.subscribe(c, SubscriptionSpec.of(TopicPattern.parse("orders.eu")), 10, now);
        return new PublishHandler(herald);
    }
}
