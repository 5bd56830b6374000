package io.herald.core.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.dynamodb.DynamoDbPublicationLedger;
import io.herald.aws.dynamodb.StoredSubscriptions;
import io.herald.core.delivery.RetryPolicy;
import io.herald.core.json.Json;
import io.herald.core.model.Publication;
import io.herald.testing.EmbeddedDynamoDb;
import io.herald.testing.Fixture;
import io.herald.testing.RecordingManagementApi;
import io.herald.testing.Tokens;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The failure paths of issue 11, each injected where it happens: the Management API (a real HTTP
 * server answering 410, 429 or 5xx on command) and Herald's DynamoDB engine, with the signed calls between.
 */
class FailurePathsTest {
    @RegisterExtension
    static final EmbeddedDynamoDb ddb = new EmbeddedDynamoDb();

    RecordingManagementApi api;
    Fixture herald;
    EmbeddedDynamoDb.Tables tables;
    ConnectionRegistry registry;

    @BeforeEach
    void setUp() throws Exception {
        api = new RecordingManagementApi();
        tables = ddb.createTables();
        herald = Fixture.onEngine(ddb, tables, api, HeraldConfig.defaults());
        registry = herald.services.registry;
    }

    @AfterEach
    void tearDown() {
        api.close();
    }

    private boolean stored(String id) {
        return registry.connections().get(id, Instant.now()).isPresent();
    }

    // ---- item 3: DeleteConnection ----

    @Test
    void replacing_older_connections_should_retry_a_throttled_close_and_not_stop_at_a_failing_one() throws Exception {
        String token = Tokens.forUser("u1");
        herald.connect("a-old", "protocol", "notify", "token", token);
        herald.connect("b-old", "protocol", "notify", "token", token);
        herald.connect("z-new", "protocol", "notify", "token", token);
        api.failNext("a-old", 500, 20); // never closes
        api.failNext("b-old", 429, 2); // closes on the third attempt

        herald.services.lifecycle.connected(herald.connection("z-new"), Instant.now());

        assertEquals(List.of("b-old"), api.deleted);
        assertTrue(!stored("a-old") && !stored("b-old"), "both older connections are forgotten");
        assertTrue(stored("z-new"));
        assertTrue(herald.log.stream().anyMatch(l -> l.path("event").asText().equals("disconnect_failed")
                && l.path("connectionId").asText().equals("a-old")), "the failed close is logged");
    }

    /** Notify connections of one user, in this order (none processed by the lifecycle yet); nothing deleted so far. */
    private void notifyConnections(String user, String... ids) {
        String token = Tokens.forUser(user);
        for (String id : ids) herald.connect(id, "protocol", "notify", "token", token);
        api.deleted.clear();
    }

    /**
     * The byUser index lags: the newer of two notify connections opening together may be processed
     * first and not see the older one. The older one's own processing then sees the newer and
     * closes itself, so the user still ends with one.
     */
    @Test
    void an_older_connection_processed_after_a_newer_one_should_close_itself() throws Exception {
        notifyConnections("u1", "a-old", "z-new");
        herald.services.lifecycle.connected(herald.connection("a-old"), Instant.now());
        assertEquals(List.of("a-old"), api.deleted);
        assertTrue(!stored("a-old") && stored("z-new"));
        assertTrue(herald.log.stream().anyMatch(l -> l.path("event").asText().equals("replaced_connection")
                && l.path("connectionId").asText().equals("a-old") && l.path("by").asText().equals("z-new")));
    }

    /**
     * The connection being replaced may still be in $connect, where API Gateway answers
     * DeleteConnection with 410: taken as closed, it would be forgotten and its socket would open
     * untracked. The close is retried through the connect window until it reaches the connection.
     */
    @Test
    void replacing_a_connection_still_in_connect_should_retry_its_close_until_it_lands() throws Exception {
        notifyConnections("u1", "a-young", "z-newer");
        api.failNext("a-young", 410, 2); // its $connect has not returned yet
        herald.services.lifecycle.connected(herald.connection("a-young"), Instant.now());
        assertEquals(List.of("a-young"), api.deleted, "closed once the connection was there");
        assertTrue(!stored("a-young") && stored("z-newer"));
    }

    @Test
    void a_failed_raffle_auth_should_close_through_5xx_and_forget_the_connection() {
        herald.connect("r1", "protocol", "raffle");
        api.failNext("r1", 503, 2); // raffle answers a bad token by closing: two DeleteConnections fail
        herald.send("r1", "{\"message_type\":\"auth\",\"data\":{\"token\":\"not-a-jwt\"}}");
        assertEquals(List.of("r1"), api.deleted);
        assertTrue(!stored("r1"));
    }

    // ---- item 1: claim before work ----

    private void subscriber(String id, String topic) {
        assertEquals(200, herald.connect(id, "token", Tokens.forUser("u-" + id)).status());
        herald.send(id, "{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
    }

    private PublishService.Result publish(String id, String topic, Instant now) {
        return herald.services.publisher.publish(new Publication(id, "message.sent", List.of(topic),
                Json.object().put("content", "hi " + id), null), now);
    }

    private long received(String connectionId, String publicationId) {
        return api.to(connectionId).stream().filter(f -> f.contains("hi " + publicationId)).count();
    }

    @Test
    void a_fan_out_failing_after_the_claim_should_be_delivered_by_the_retry_and_then_never_again() {
        subscriber("c1", "orders.eu");
        subscriber("c2", "orders.eu");
        api.failNext("c1", 503, 4); // every attempt of the first delivery

        FanOutIncompleteException first = assertThrows(FanOutIncompleteException.class,
                () -> publish("order-1", "orders.eu", Instant.now()));
        assertEquals(1, first.result().delivered());
        assertEquals(0, received("c1", "order-1"));

        PublishService.Result retry = publish("order-1", "orders.eu", Instant.now()); // SQS / EventBridge redelivery
        assertEquals(2, retry.delivered(), "both reached: c2 by the first attempt, c1 by this one");
        assertEquals(1, received("c1", "order-1"), "the retry delivers what the first attempt could not");
        assertEquals(1, received("c2", "order-1"), "and skips whom the first attempt reached");

        PublishService.Result duplicate = publish("order-1", "orders.eu", Instant.now());
        assertTrue(duplicate.duplicate());
        assertEquals(0, duplicate.delivered());
        assertEquals(1, received("c1", "order-1"));
        assertEquals(1, received("c2", "order-1"));
    }

    /**
     * A client that stops reading its socket fills API Gateway's buffer for it, and every post to
     * it is answered 429. The publication is retried by its source for that one connection; the
     * others, reached by the first attempt, get it once, however many retries it takes.
     */
    @Test
    void a_subscriber_that_stops_reading_should_cost_the_others_no_duplicates_on_the_retries() {
        for (int i = 1; i <= 5; i++) subscriber("c" + i, "orders.eu");
        subscriber("stuck", "orders.eu");
        int attempts = 4, postsBefore = api.attempts.get("stuck").get();
        api.failNext("stuck", 429, attempts * RetryPolicy.DEFAULT.maxAttempts());
        for (int attempt = 1; attempt <= attempts; attempt++) {
            FanOutIncompleteException e = assertThrows(FanOutIncompleteException.class,
                    () -> publish("order-slow", "orders.eu", Instant.now()));
            assertEquals(5, e.result().delivered(), "attempt " + attempt + " counts the five as reached");
        }
        for (int i = 1; i <= 5; i++) assertEquals(1, received("c" + i, "order-slow"), "c" + i + " once, not once per attempt");
        assertEquals(0, received("stuck", "order-slow"));

        PublishService.Result reading = publish("order-slow", "orders.eu", Instant.now()); // it reads again
        assertEquals(6, reading.delivered());
        assertEquals(1, received("stuck", "order-slow"));
        assertEquals(attempts * RetryPolicy.DEFAULT.maxAttempts() + 1, api.attempts.get("stuck").get() - postsBefore,
                "every attempt posted to it, with the delivery's own retries");
        assertTrue(herald.log.stream().anyMatch(l -> "publish".equals(l.path("event").asText()) && l.path("skipped").asInt() == 5),
                "the retry's log line says whom it skipped");
    }

    /** Counts GetItem calls on the ledger table: the delivered-set reads. */
    static final class CountLedgerReads implements software.amazon.awssdk.core.interceptor.ExecutionInterceptor {
        final String ledger;
        final java.util.concurrent.atomic.AtomicInteger reads = new java.util.concurrent.atomic.AtomicInteger();

        CountLedgerReads(String ledger) {
            this.ledger = ledger;
        }

        @Override
        public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution c,
                software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
            if (c.request() instanceof software.amazon.awssdk.services.dynamodb.model.GetItemRequest g && ledger.equals(g.tableName())) {
                reads.incrementAndGet();
            }
        }
    }

    /** The RCU per delivery target (0.02) holds: a first attempt, the common case, reads no delivered set. */
    @Test
    void only_a_retry_should_read_whom_an_earlier_attempt_reached() {
        CountLedgerReads count = new CountLedgerReads(tables.ledger());
        try (var client = ddb.clientWith(count)) {
            herald = Fixture.onEngine(client, tables, api, HeraldConfig.defaults());
            subscriber("c1", "orders.eu");
            subscriber("c2", "orders.eu");
            count.reads.set(0);
            publish("order-r1", "orders.eu", Instant.now());
            assertEquals(0, count.reads.get(), "a first attempt that completes");

            api.failNext("c1", 503, RetryPolicy.DEFAULT.maxAttempts());
            assertThrows(FanOutIncompleteException.class, () -> publish("order-r2", "orders.eu", Instant.now()));
            assertEquals(0, count.reads.get(), "a first attempt that fails");
            publish("order-r2", "orders.eu", Instant.now());
            assertEquals(1, count.reads.get(), "its retry: one read");
        }
    }

    /**
     * A 403 on every post is a wrong stage, grant or signature, not a property of the connections:
     * the publication is released and fails back to its source (SQS or EventBridge retry, then a
     * dead-letter queue) instead of being completed and dropped. One refused among delivered ones
     * is that connection's alone and does not hold the publication back.
     */
    @Test
    void a_publication_every_post_of_which_is_refused_should_go_back_to_its_source() {
        subscriber("c1", "orders.eu");
        subscriber("c2", "orders.eu");
        api.failNext("c1", 403, 1);
        api.failNext("c2", 403, 1);
        assertThrows(FanOutIncompleteException.class, () -> publish("order-403", "orders.eu", Instant.now()));
        PublishService.Result retry = publish("order-403", "orders.eu", Instant.now()); // redriven once fixed
        assertEquals(2, retry.delivered(), "released, not completed: the retry delivers");

        api.failNext("c1", 403, 1);
        PublishService.Result one = publish("order-one-refused", "orders.eu", Instant.now());
        assertEquals(1, one.delivered());
        assertTrue(publish("order-one-refused", "orders.eu", Instant.now()).duplicate(), "completed");
    }

    @Test
    void a_duplicate_arriving_while_in_progress_should_fail_retryably_and_deliver_after_the_claim_lapses() {
        subscriber("c1", "orders.eu");
        Instant now = Instant.now();
        var ledger = new DynamoDbPublicationLedger(ddb.client(), tables.ledger(), Duration.ofHours(1));
        ledger.claim("order-2", now, now.plus(PublishService.CLAIM_LIFETIME)); // an attempt in flight (or dead)

        assertThrows(PublicationInProgressException.class, () -> publish("order-2", "orders.eu", now));
        assertEquals(0, received("c1", "order-2"));

        Instant later = now.plus(PublishService.CLAIM_LIFETIME).plusSeconds(1); // the attempt died with its function
        assertEquals(1, publish("order-2", "orders.eu", later).delivered());
        assertEquals(1, received("c1", "order-2"));
    }

    @Test
    void an_oversized_frame_should_be_refused_before_the_id_is_claimed() {
        subscriber("c1", "orders.eu");
        // data just under the limit; the topics envelope around it pushes the frame over
        String blob = "x".repeat(HeraldConfig.API_GATEWAY_MESSAGE_LIMIT - 40);
        var p = new Publication("big-1", "t", List.of("orders.eu"), Json.object().put("b", blob), null);
        assertThrows(io.herald.core.model.InvalidPublicationException.class,
                () -> herald.services.publisher.publish(p, Instant.now()));
        var ledger = new DynamoDbPublicationLedger(ddb.client(), tables.ledger(), Duration.ofHours(1));
        assertEquals(io.herald.core.store.PublicationLedger.Claim.CLAIMED,
                ledger.claim("big-1", Instant.now(), Instant.now().plusSeconds(60)), "the refused id was never claimed");
    }

    // ---- item 2: 410 while $connect has not returned ----

    @Test
    void a_410_from_a_connection_still_in_connect_should_be_retried_not_forgotten() {
        assertEquals(200, herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status());
        api.failNext("b1", 410, 2); // API Gateway: $connect has not returned yet

        PublishService.Result r = publish("seat-1", "events.e1", Instant.now());

        assertEquals(1, r.delivered());
        assertEquals(0, r.gone());
        assertTrue(stored("b1"), "the connection is not forgotten");
        assertEquals(1, StoredSubscriptions.of(ddb.client(), tables.subscriptions(), "b1").size(), "nor its initial subscription");
        assertEquals(1, received("b1", "seat-1"));
    }

    @Test
    void a_young_connection_refusing_past_the_retries_should_stay_and_the_publication_be_retried() {
        assertEquals(200, herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status());
        api.failNext("b1", 410, 1 + ConnectWindow.ATTEMPTS);
        assertThrows(FanOutIncompleteException.class, () -> publish("seat-2", "events.e1", Instant.now()));
        assertTrue(stored("b1"));
        assertEquals(1, publish("seat-2", "events.e1", Instant.now()).delivered(), "the retry reaches it once it is open");
    }

    @Test
    void a_410_from_an_old_connection_should_forget_it() {
        assertEquals(200, herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status());
        api.failNext("b1", 410, 1);
        Instant later = Instant.now().plus(ConnectWindow.YOUNG).plusSeconds(1);
        PublishService.Result r = publish("seat-3", "events.e1", later);
        assertEquals(1, r.gone());
        assertTrue(!stored("b1"));
        assertTrue(StoredSubscriptions.of(ddb.client(), tables.subscriptions(), "b1").isEmpty());
    }

    @Test
    void a_publication_out_of_time_should_leave_its_gone_connections_to_their_next_410() {
        assertEquals(200, herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status());
        api.failNext("b1", 410, 1);
        Instant later = Instant.now().plus(ConnectWindow.YOUNG).plusSeconds(1);
        // passes once the post has been answered: the cleanup after it finds no time left
        io.herald.core.delivery.Deadline afterThePost = () -> api.attempts.getOrDefault("b1", new java.util.concurrent.atomic.AtomicInteger()).get() > 0 ? 0 : 1_000;
        PublishService.Result r = herald.services.publisher.publishFromBackend(new Publication("seat-4", "message.sent", List.of("events.e1"),
                Json.object().put("content", "hi seat-4"), null), later, afterThePost);
        assertEquals(1, r.gone());
        assertTrue(stored("b1"), "not forgotten now: the deadline is for recording, not cleaning");
        assertTrue(herald.log.stream().anyMatch(l -> "cleanup_skipped".equals(l.path("event").asText())));
    }

    // ---- zombies the fan-out review found: a failed read, a failed $connect, a frame from a row-less socket ----

    /** Throws a throttling error for the next {@code times} calls of {@code operation} that touch {@code connectionId}. */
    static final class Refuse implements software.amazon.awssdk.core.interceptor.ExecutionInterceptor {
        final Class<?> operation;
        final String connectionId;
        final java.util.concurrent.atomic.AtomicInteger times = new java.util.concurrent.atomic.AtomicInteger();

        Refuse(Class<?> operation, String connectionId) {
            this.operation = operation;
            this.connectionId = connectionId;
        }

        @Override
        public void beforeExecution(software.amazon.awssdk.core.interceptor.Context.BeforeExecution c,
                software.amazon.awssdk.core.interceptor.ExecutionAttributes a) {
            if (operation.isInstance(c.request()) && c.request().toString().contains(connectionId) && times.getAndDecrement() > 0) {
                throw software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException.builder()
                        .message("injected throttle").build();
            }
        }
    }

    @Test
    void a_410_whose_connection_cannot_be_read_should_be_retried_not_forgotten() {
        // the connect-window check reads the gone connections a hundred at a time
        Refuse refuse = new Refuse(software.amazon.awssdk.services.dynamodb.model.BatchGetItemRequest.class, "b1");
        try (var client = ddb.clientWith(refuse)) {
            herald = Fixture.onEngine(client, tables, api, HeraldConfig.defaults());
            registry = herald.services.registry;
            assertEquals(200, herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status());
            api.failNext("b1", 410, 1); // $connect has not returned yet ...
            refuse.times.set(1); // ... and the read that would show it is young is throttled

            PublishService.Result r = publish("seat-9", "events.e1", Instant.now());

            assertEquals(0, r.gone(), "an unread connection is not taken for gone");
            assertTrue(stored("b1"), "nor forgotten: it would open deaf");
            assertEquals(1, StoredSubscriptions.of(ddb.client(), tables.subscriptions(), "b1").size());
            assertEquals(1, received("b1", "seat-9"), "the retry reaches it");
        }
    }

    @Test
    void a_connect_failing_after_admission_should_give_back_the_row_its_subscriptions_and_the_ip_slot() {
        Refuse refuse = new Refuse(software.amazon.awssdk.services.dynamodb.model.TransactWriteItemsRequest.class, "b1");
        try (var client = ddb.clientWith(refuse)) {
            herald = Fixture.onEngine(client, tables, api, HeraldConfig.defaults().withMaxConnectionsPerIp(1));
            registry = herald.services.registry;
            refuse.times.set(1000); // the initial subscription's transaction fails past the store's own retries
            assertThrows(RuntimeException.class,
                    () -> herald.connect("b1", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")));
            refuse.times.set(0);

            assertTrue(!stored("b1"), "no row is left for a connection whose $connect failed");
            assertTrue(StoredSubscriptions.of(ddb.client(), tables.subscriptions(), "b1").isEmpty());
            assertEquals(200, herald.connect("b2", "protocol", "booking", "eventId", "e1", "token", Tokens.forUser("u1")).status(),
                    "the IP's only slot was given back");
        }
    }

    @Test
    void a_frame_from_a_socket_without_a_row_should_close_that_socket() {
        herald.send("ghost", "{\"type\":\"ping\"}");
        assertEquals(List.of("ghost"), api.deleted, "closed, so its client reconnects instead of waiting deaf");
        assertTrue(herald.log.stream().anyMatch(l -> l.path("event").asText().equals("message_for_unknown_connection")
                && l.path("closed").asBoolean()));
    }
}
