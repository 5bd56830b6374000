package io.herald.aws.dynamodb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.core.chat.ChatMessage;
import io.herald.core.chat.ChatStore;
import io.herald.core.chat.Ulid;
import io.herald.core.json.Json;
import io.herald.testing.EmbeddedDynamoDb;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The chat's table on Herald's DynamoDB engine through the real SDK client: keys, counters, paging, no Scan. */
class DynamoDbChatStoreTest {
    @RegisterExtension
    static final EmbeddedDynamoDb dynamo = new EmbeddedDynamoDb();
    final Ulid ids = new Ulid();
    DynamoDbChatStore store;
    String table;

    @BeforeEach
    void table() {
        table = "Chat-" + UUID.randomUUID().toString().substring(0, 8);
        dynamo.client().createTable(DynamoDbSchema.chatTable(table));
        store = new DynamoDbChatStore(dynamo.client(), table, Duration.ofDays(30));
        dynamo.resetCounters();
    }

    ChatMessage message(String conv, String sender, String text) {
        Instant now = Instant.now();
        ChatMessage m = new ChatMessage(ids.next(now), conv, sender, "text", text, Json.object(), now, now, null, null);
        store.append(m, store.conversation(conv).orElseThrow().members().stream().filter(u -> !u.equals(sender)).toList(), null);
        return m;
    }

    @Test
    void membership_should_be_found_per_user_and_kept_read_state_on_upsert() {
        store.upsert("k1", List.of("alice", "bob"), Instant.now());
        store.upsert("k2", List.of("alice", "carol"), Instant.now());
        assertEquals(Set.of("k1", "k2"), Set.copyOf(store.conversationsOf("alice")));
        assertEquals(List.of("k1"), store.conversationsOf("bob"));
        ChatMessage m = message("k1", "alice", "hi");
        assertEquals(1L, store.unread("k1", List.of("bob")).get("bob"));
        store.upsert("k1", List.of("alice", "bob", "dave"), Instant.now());
        assertEquals(1L, store.unread("k1", List.of("bob")).get("bob"), "a member kept keeps his count");
        assertTrue(store.isMember("k1", "dave"));
        store.upsert("k1", List.of("alice", "dave"), Instant.now());
        assertFalse(store.isMember("k1", "bob"));
        assertEquals(List.of(), store.conversationsOf("bob"));
        assertTrue(store.message("k1", m.id()).isPresent());
        assertEquals(0, dynamo.scans.get());
    }

    @Test
    void read_should_leave_exactly_what_others_sent_after_it() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        ChatMessage first = message("k", "alice", "1");
        message("k", "bob", "mine");
        message("k", "alice", "2");
        ChatMessage third = message("k", "alice", "3");
        assertEquals(3L, store.unread("k", List.of("bob")).get("bob"));
        assertEquals(2, store.markRead("k", "bob", first.id(), Instant.now()));
        assertEquals(2L, store.unread("k", List.of("bob")).get("bob"));
        assertEquals(2, store.markRead("k", "bob", first.id(), Instant.now()), "never backwards, nothing changes");
        assertEquals(0, store.markRead("k", "bob", third.id(), Instant.now()));
        assertEquals(Map.of("bob", third.id()), Map.of("bob", store.readMarks("k").get("bob")));
        assertNull(store.readMarks("k").get("alice"));
    }

    @Test
    void counts_should_stay_exact_while_messages_arrive_during_reads() throws Exception {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        List<ChatMessage> sent = new ArrayList<>();
        for (int i = 0; i < 5; i++) sent.add(message("k", "alice", "m" + i));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<?> writer = pool.submit(() -> {
                for (int i = 0; i < 20; i++) message("k", "alice", "late" + i);
            });
            Future<?> reader = pool.submit(() -> {
                for (ChatMessage m : sent) store.markRead("k", "bob", m.id(), Instant.now());
            });
            writer.get(60, TimeUnit.SECONDS);
            reader.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        // after the last read: exactly the 20 late messages are unread, however they interleaved
        assertEquals(20L, store.unread("k", List.of("bob")).get("bob"));
    }

    @Test
    void history_should_page_newest_first_without_deleted_messages_and_carry_the_retention_ttl() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        List<ChatMessage> sent = new ArrayList<>();
        for (int i = 0; i < 7; i++) sent.add(message("k", i % 2 == 0 ? "alice" : "bob", "m" + i));
        assertTrue(store.deleteMessage("k", sent.get(5).id(), "bob", Instant.now()).orElseThrow().deleted());
        assertTrue(store.deleteMessage("k", sent.get(5).id(), "bob", Instant.now()).isEmpty(), "already deleted");
        assertNull(store.message("k", sent.get(5).id()).orElseThrow().content(), "the content is gone from storage");

        ChatStore.Page p1 = store.history("k", null, 3);
        assertEquals(List.of(sent.get(6).id(), sent.get(4).id(), sent.get(3).id()), p1.messages().stream().map(ChatMessage::id).toList());
        assertEquals(sent.get(3).id(), p1.nextBefore());
        ChatStore.Page p2 = store.history("k", p1.nextBefore(), 3);
        assertEquals(List.of(sent.get(2).id(), sent.get(1).id(), sent.get(0).id()), p2.messages().stream().map(ChatMessage::id).toList());
        assertNull(store.history("k", p2.messages().get(2).id(), 3).nextBefore());
        assertTrue(store.history("k", p2.messages().get(2).id(), 3).messages().isEmpty());

        var item = dynamo.client().getItem(b -> b.tableName(table).key(Map.of("pk", Items.s("c#k"), "sk", Items.s("g#" + sent.get(0).id())))).item();
        long ttl = Long.parseLong(item.get("ttl").n());
        assertTrue(Math.abs(ttl - sent.get(0).createdAt().plus(Duration.ofDays(30)).getEpochSecond()) <= 1);
        assertEquals(0, dynamo.scans.get());
    }

    @Test
    void delivery_and_typing_marks_should_be_recorded_once() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        ChatMessage m = message("k", "alice", "x");
        assertTrue(store.markDelivered("k", m.id(), Instant.now()));
        assertFalse(store.markDelivered("k", m.id(), Instant.now()));
        assertNotNull(store.message("k", m.id()).orElseThrow().deliveredAt());

        Instant first = Instant.ofEpochMilli(1_000);
        Instant second = Instant.ofEpochMilli(2_000);
        store.typingStarted("k", "bob", first);
        store.typingStarted("k", "bob", second);
        assertFalse(store.typingStopped("k", "bob", first), "a later start keeps the mark");
        assertTrue(store.typingStopped("k", "bob", second));
        assertFalse(store.typingStopped("k", "bob", null));
    }

    @Test
    void deleting_a_conversation_should_remove_every_item_of_it() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        for (int i = 0; i < 30; i++) message("k", "alice", "m" + i);
        assertTrue(store.delete("k"));
        assertFalse(store.delete("k"));
        assertTrue(store.conversation("k").isEmpty());
        assertEquals(0, dynamo.client().query(b -> b.tableName(table).keyConditionExpression("pk = :p")
                .expressionAttributeValues(Map.of(":p", Items.s("c#k")))).count());
        assertEquals(List.of(), store.conversationsOf("alice"));
    }

    @Test
    void unread_counts_should_leave_deleted_messages_out() {
        store.upsert("k", List.of("alice", "bob", "carol"), Instant.now());
        ChatMessage first = message("k", "alice", "1");
        ChatMessage second = message("k", "alice", "2");
        message("k", "alice", "3");
        store.markRead("k", "carol", second.id(), Instant.now());
        assertEquals(3L, store.unread("k", List.of("bob")).get("bob"));
        assertEquals(1L, store.unread("k", List.of("carol")).get("carol"));

        assertTrue(store.deleteMessage("k", second.id(), "alice", Instant.now()).isPresent());
        assertEquals(2L, store.unread("k", List.of("bob")).get("bob"), "bob had not read it: one fewer");
        assertEquals(1L, store.unread("k", List.of("carol")).get("carol"), "carol had read it: unchanged");
        assertEquals(0L, store.unread("k", List.of("alice")).get("alice"), "the sender's count never counted it");
        assertTrue(store.deleteMessage("k", second.id(), "alice", Instant.now()).isEmpty(), "deleting twice changes nothing");
        assertEquals(2L, store.unread("k", List.of("bob")).get("bob"));
        assertEquals(1, store.markRead("k", "bob", first.id(), Instant.now()), "only the third is left; the deleted one is not counted");
    }

    @Test
    void a_publications_message_should_be_stored_once() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        Instant now = Instant.now();
        ChatMessage m = new ChatMessage(ids.next(now), "k", "system", "system", "hi", Json.object(), now, now, null, null);
        ChatMessage again = new ChatMessage(ids.next(now), "k", "system", "system", "hi", Json.object(), now, now, null, null);
        assertTrue(store.append(m, List.of("alice", "bob"), "pub-1"));
        assertFalse(store.append(again, List.of("alice", "bob"), "pub-1"));
        assertEquals(1, store.history("k", null, 10).messages().size());
        assertEquals(1L, store.unread("k", List.of("bob")).get("bob"));
        assertTrue(store.history("k", null, 10).messages().get(0).id().equals(m.id()));
    }

    @Test
    void a_publications_reached_connections_should_accumulate_on_its_mark_and_go_with_its_conversation() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        Instant now = Instant.now();
        ChatMessage m = new ChatMessage(ids.next(now), "k", "system", "system", "hi", Json.object(), now, now, null, null);
        assertTrue(store.published("k", "pub-1").isEmpty(), "nothing stored for it yet");
        assertTrue(store.append(m, List.of("alice", "bob"), "pub-1"));
        ChatStore.Published p = store.published("k", "pub-1").orElseThrow();
        assertEquals(m.id(), p.message().id());
        assertEquals(Set.of(), p.reached());

        store.reached("k", "pub-1", List.of("c-alice"));
        store.reached("k", "pub-1", List.of("c-bob", "c-alice"));
        store.reached("k", "pub-1", List.of()); // nothing to add
        assertEquals(Set.of("c-alice", "c-bob"), store.published("k", "pub-1").orElseThrow().reached());
        assertTrue(store.published("k", "pub-2").isEmpty());

        store.reached("k", "pub-2", List.of("c-alice")); // no mark: nothing written
        assertTrue(store.published("k", "pub-2").isEmpty());
        assertTrue(store.delete("k"));
        store.reached("k", "pub-1", List.of("c-carol")); // the conversation went with its marks: no item recreated
        assertTrue(store.published("k", "pub-1").isEmpty());
        assertTrue(store.history("k", null, 10).messages().isEmpty());
        assertEquals(0, dynamo.scans.get());
    }

    /**
     * DynamoDB cancels a transaction that meets another on the same items (TransactionConflict)
     * and refuses a plain write to an item a transaction holds (TransactionConflictException);
     * the engine serializes instead, so a client that loses once per call stands in for AWS.
     */
    @Test
    void a_transaction_conflict_should_be_retried_and_count_once() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        java.util.concurrent.atomic.AtomicInteger transacts = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger updates = new java.util.concurrent.atomic.AtomicInteger();
        software.amazon.awssdk.services.dynamodb.DynamoDbClient losing = FailingCalls.first(FailingCalls.first(dynamo.client(), "transactWriteItems",
                software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.builder().message("Transaction cancelled").cancellationReasons(
                        software.amazon.awssdk.services.dynamodb.model.CancellationReason.builder().code("None").build(),
                        software.amazon.awssdk.services.dynamodb.model.CancellationReason.builder().code("TransactionConflict").build()).build(),
                transacts), "updateItem", software.amazon.awssdk.services.dynamodb.model.TransactionConflictException.builder()
                .message("Transaction is ongoing for the item").build(), updates);
        DynamoDbChatStore onAws = new DynamoDbChatStore(losing, table, null);
        Instant now = Instant.now();
        ChatMessage m = new ChatMessage(ids.next(now), "k", "alice", "text", "hi", Json.object(), now, now, null, null);
        assertTrue(onAws.append(m, List.of("bob"), null));
        assertEquals(1L, store.unread("k", List.of("bob")).get("bob"), "stored once, counted once");
        assertEquals(0, onAws.markRead("k", "bob", m.id(), Instant.now()));
        assertEquals(2, transacts.get(), "lost once, then written");
        assertEquals(2, updates.get(), "lost once, then written");
        assertEquals(m.id(), store.readMarks("k").get("bob"));

        // anything else is not a conflict: no retry
        java.util.concurrent.atomic.AtomicInteger calls = new java.util.concurrent.atomic.AtomicInteger();
        software.amazon.awssdk.services.dynamodb.DynamoDbClient failing = FailingCalls.always(dynamo.client(), "transactWriteItems",
                software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.builder().message("cancelled").cancellationReasons(
                        software.amazon.awssdk.services.dynamodb.model.CancellationReason.builder().code("ValidationError").build()).build(), calls);
        ChatMessage n = new ChatMessage(ids.next(now), "k", "alice", "text", "hi", Json.object(), now, now, null, null);
        org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.class,
                () -> new DynamoDbChatStore(failing, table, null).append(n, List.of("bob"), null));
        assertEquals(1, calls.get());
        // nor for an upsert: a bad request fails at once, not after eight tries
        calls.set(0);
        org.junit.jupiter.api.Assertions.assertThrows(software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.class,
                () -> new DynamoDbChatStore(failing, table, null).upsert("k2", List.of("alice", "bob"), Instant.now()));
        assertEquals(1, calls.get());
    }

    /**
     * A user's first send marks their member item with a plain write, and every other send's
     * transaction writes that item too: on AWS the plain write can meet one (the engine serializes).
     * A send cancelled for ThrottlingError (a busy conversation's partition) is retried the same way.
     */
    @Test
    void a_first_send_meeting_a_transaction_and_a_throttled_send_should_be_retried() {
        store.upsert("k", List.of("alice", "bob"), Instant.now());
        java.util.concurrent.atomic.AtomicInteger thrown = new java.util.concurrent.atomic.AtomicInteger();
        new DynamoDbChatStore(FailingCalls.first(dynamo.client(), "updateItem", software.amazon.awssdk.services.dynamodb.model.TransactionConflictException.builder()
                .message("Transaction is ongoing for the item").build(), thrown), table, null).markStarted("k", "alice", Instant.now());
        assertEquals(2, thrown.get(), "lost once, then written");
        assertTrue(store.started("k", "alice"));

        thrown.set(0);
        Instant now = Instant.now();
        ChatMessage m = new ChatMessage(ids.next(now), "k", "alice", "text", "hi", Json.object(), now, now, null, null);
        DynamoDbChatStore throttled = new DynamoDbChatStore(FailingCalls.first(dynamo.client(), "transactWriteItems",
                software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException.builder().message("Transaction cancelled").cancellationReasons(
                        software.amazon.awssdk.services.dynamodb.model.CancellationReason.builder().code("None").build(),
                        software.amazon.awssdk.services.dynamodb.model.CancellationReason.builder().code("ThrottlingError").build()).build(), thrown),
                table, null);
        assertTrue(throttled.append(m, List.of("bob"), null));
        assertEquals(2, thrown.get());
        assertEquals(1L, store.unread("k", List.of("bob")).get("bob"), "stored once, counted once");
    }
}
