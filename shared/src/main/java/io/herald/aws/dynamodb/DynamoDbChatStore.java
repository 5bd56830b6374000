package io.herald.aws.dynamodb;

import static io.herald.aws.dynamodb.Items.n;
import static io.herald.aws.dynamodb.Items.s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.chat.ChatMessage;
import io.herald.core.chat.ChatStore;
import io.herald.core.chat.Conversation;
import io.herald.core.json.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.dynamodb.model.Select;
import software.amazon.awssdk.services.dynamodb.model.TransactWriteItem;
import software.amazon.awssdk.services.dynamodb.model.TransactionCanceledException;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

/**
 * The chat in one DynamoDB table, one partition per conversation ({@code pk = c#{id}}), sort keys
 * by kind: {@code #meta} the conversation, {@code g#{ulid}} its messages in time order,
 * {@code m#{user}} a member's read state and unread count, {@code t#{user}} a typing mark,
 * {@code p#{publication id}} that a backend's message was stored; users' presence items
 * ({@code pk = u#{user}}) are {@link DynamoDbPresence}'s. The
 * index {@code byMember} (hash {@code mu}, keys only) lists a user's conversations. The table's
 * stream is how backends learn of each stored message, read and delete (docs/architecture.md).
 */
public final class DynamoDbChatStore implements ChatStore {
    private static final String META = "#meta";
    private static final String MSG = "g#";
    private static final String MEMBER = "m#";
    private static final String TYPING = "t#";
    /** A backend publication's message was stored (its retry stores nothing). */
    private static final String PUBLICATION = "p#";
    /** On a publication's mark: the connections its live event reached, when an attempt ended incomplete. */
    private static final String REACHED = "rc";
    /** How long a publication's mark stands: beyond SQS's longest retention (14 days). */
    private static final Duration PUBLICATION_MARK = Duration.ofDays(15);
    /** Sorts after every ULID character: the upper end of the message range. */
    private static final String MSG_END = "g#~";
    private static final int READ_ATTEMPTS = 8;

    private final DynamoDbClient ddb;
    private final String table;
    private final Duration retention;
    private final DynamoDbPresence presence;

    /** @param retention messages expire this long after they were sent (TTL); null or zero keeps them */
    public DynamoDbChatStore(DynamoDbClient ddb, String table, Duration retention) {
        this.ddb = ddb;
        this.table = table;
        this.retention = retention == null || retention.isZero() ? null : retention;
        this.presence = new DynamoDbPresence(ddb, table);
    }

    // presence: the users' items in the same table (DynamoDbPresence)

    @Override
    public boolean opened(String userId, String connectionId, long expiresAt, Instant now) {
        return presence.opened(userId, connectionId, expiresAt, now);
    }

    @Override
    public boolean closed(String userId, String connectionId, long expiresAt, Instant now) {
        return presence.closed(userId, connectionId, expiresAt, now);
    }

    @Override
    public void status(String userId, String status, Instant now) {
        presence.status(userId, status, now);
    }

    @Override
    public Map<String, Presence> online(Collection<String> userIds, Instant now) {
        return presence.online(userIds, now);
    }

    private static Map<String, AttributeValue> key(String conversationId, String sk) {
        return Map.of(DynamoDbSchema.PK, s("c#" + conversationId), DynamoDbSchema.SK, s(sk));
    }

    private Map<String, AttributeValue> get(String conversationId, String sk) {
        Map<String, AttributeValue> item = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(key(conversationId, sk))).item();
        return item == null || item.isEmpty() ? null : item;
    }

    @Override
    public Optional<Conversation> conversation(String conversationId) {
        Map<String, AttributeValue> m = get(conversationId, META);
        return m == null ? Optional.empty() : Optional.of(new Conversation(conversationId, m.get("mem").ss(),
                Instant.ofEpochMilli(Items.num(m, "ca", 0)), Instant.ofEpochMilli(Items.num(m, "ua", 0))));
    }

    @Override
    public Conversation upsert(String conversationId, List<String> members, Instant now) {
        if (members.size() > MAX_MEMBERS) throw new IllegalArgumentException("at most " + MAX_MEMBERS + " members");
        for (int attempt = 1; ; attempt++) {
            Optional<Conversation> old = conversation(conversationId);
            Set<String> before = new LinkedHashSet<>(old.map(Conversation::members).orElse(List.of()));
            Instant created = old.map(Conversation::createdAt).orElse(now);
            List<TransactWriteItem> writes = new ArrayList<>();
            Map<String, AttributeValue> meta = new HashMap<>(key(conversationId, META));
            meta.put("k", s("conversation"));
            meta.put("mem", AttributeValue.fromSs(members));
            meta.put("ca", n(created.toEpochMilli()));
            meta.put("ua", n(now.toEpochMilli()));
            // the members read before must still be the members: two upserts never interleave
            writes.add(TransactWriteItem.builder().put(p -> {
                p.tableName(table).item(meta);
                if (old.isEmpty()) p.conditionExpression("attribute_not_exists(pk)");
                else p.conditionExpression("ua = :ua").expressionAttributeValues(Map.of(":ua", n(old.get().updatedAt().toEpochMilli())));
            }).build());
            for (String m : members) {
                if (before.contains(m)) continue;
                Map<String, AttributeValue> item = new HashMap<>(key(conversationId, MEMBER + m));
                item.put("k", s("member"));
                item.put("mu", s(m));
                item.put("un", n(0));
                item.put("seq", n(0));
                writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(item)).build());
            }
            for (String m : before) {
                if (!members.contains(m)) writes.add(TransactWriteItem.builder().delete(d -> d.tableName(table).key(key(conversationId, MEMBER + m))).build());
            }
            try {
                ddb.transactWriteItems(b -> b.transactItems(writes));
                return new Conversation(conversationId, members, created, now);
            } catch (TransactionCanceledException e) {
                // a changed conversation is read again at once; a conflict or throttling waits first;
                // anything else (a bad request) would fail the same way again
                boolean changed = reason(e, 0).equals("ConditionalCheckFailed");
                if (attempt >= READ_ATTEMPTS || !changed && !Conflicts.lostARace(e)) throw e;
                if (!changed) Conflicts.jitter(attempt);
            }
        }
    }

    @Override
    public boolean delete(String conversationId) {
        boolean existed = get(conversationId, META) != null;
        List<WriteRequest> deletes = new ArrayList<>();
        for (Map<String, AttributeValue> item : ddb.queryPaginator(b -> b.tableName(table).consistentRead(true)
                .keyConditionExpression("pk = :pk").projectionExpression("pk, sk")
                .expressionAttributeValues(Map.of(":pk", s("c#" + conversationId)))).items()) {
            deletes.add(WriteRequest.builder().deleteRequest(d -> d.key(item)).build());
            if (deletes.size() == 25) flush(deletes);
        }
        flush(deletes);
        return existed;
    }

    /** BatchWriteItem, resending what DynamoDB left unprocessed. */
    private void flush(List<WriteRequest> deletes) {
        List<WriteRequest> pending = new ArrayList<>(deletes);
        deletes.clear();
        for (int attempt = 0; !pending.isEmpty(); attempt++) {
            if (attempt > 0) pause(attempt);
            List<WriteRequest> batch = pending;
            Map<String, List<WriteRequest>> left = ddb.batchWriteItem(b -> b.requestItems(Map.of(table, batch))).unprocessedItems();
            pending = left == null ? List.of() : left.getOrDefault(table, List.of());
            if (attempt > 10 && !pending.isEmpty()) throw new IllegalStateException("deletes left unprocessed: " + pending.size());
        }
    }

    /** Conflicts and unprocessed keys: jittered, as every retry in Herald, so racing writers spread out. */
    private static final io.herald.core.delivery.RetryPolicy BACKOFF =
            new io.herald.core.delivery.RetryPolicy(12, java.time.Duration.ofMillis(20), java.time.Duration.ofSeconds(1));

    private static void pause(int attempt) {
        if (!BACKOFF.pause(Thread::sleep, attempt + 1)) throw new IllegalStateException("interrupted");
    }

    @Override
    public boolean isMember(String conversationId, String userId) {
        return get(conversationId, MEMBER + userId) != null;
    }

    /** {@code st} on the member's item: when they first sent here. */
    @Override
    public boolean started(String conversationId, String userId) {
        Map<String, AttributeValue> m = ddb.getItem(b -> b.tableName(table).consistentRead(true).key(key(conversationId, MEMBER + userId))
                .projectionExpression("st")).item();
        return m != null && m.containsKey("st");
    }

    @Override
    public void markStarted(String conversationId, String userId, Instant now) {
        try {
            // the member item is also written by every send's transaction: this plain write can meet one
            Conflicts.retrying(() -> ddb.updateItem(b -> b.tableName(table).key(key(conversationId, MEMBER + userId)).updateExpression("SET st = :now")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(st)")
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli())))));
        } catch (ConditionalCheckFailedException e) {
            // already started, or no longer a member: nothing to record
        }
    }

    @Override
    public List<String> conversationsOf(String userId) {
        List<String> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).indexName(DynamoDbSchema.BY_MEMBER).keyConditionExpression("mu = :u")
                .expressionAttributeValues(Map.of(":u", s(userId)))).items()
                .forEach(i -> out.add(Items.str(i, DynamoDbSchema.PK).substring(2)));
        return out;
    }

    @Override
    public boolean append(ChatMessage m, Collection<String> recipients, String publicationId) {
        Map<String, AttributeValue> item = new HashMap<>(key(m.conversationId(), MSG + m.id()));
        item.put("k", s("message"));
        item.put("id", s(m.id()));
        item.put("s", s(m.senderId()));
        item.put("t", s(m.type()));
        item.put("ct", s(m.content()));
        item.put("md", s(Json.write(m.metadata())));
        item.put("ca", n(m.createdAt().toEpochMilli()));
        item.put("ua", n(m.updatedAt().toEpochMilli()));
        if (retention != null) item.put(DynamoDbSchema.TTL, n(m.createdAt().plus(retention).getEpochSecond()));
        List<TransactWriteItem> writes = new ArrayList<>();
        if (publicationId != null) {
            // first, so a cancellation reason at index 0 means exactly "stored before"
            Map<String, AttributeValue> mark = new HashMap<>(key(m.conversationId(), PUBLICATION + publicationId));
            mark.put("id", s(m.id()));
            mark.put(DynamoDbSchema.TTL, n(m.createdAt().plus(PUBLICATION_MARK).getEpochSecond()));
            writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(mark).conditionExpression("attribute_not_exists(pk)"))
                    .build());
        }
        writes.add(TransactWriteItem.builder().put(p -> p.tableName(table).item(item).conditionExpression("attribute_not_exists(pk)")).build());
        for (String r : recipients) {
            // seq counts every increment: markRead's count is exact only while it stands still
            writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key(m.conversationId(), MEMBER + r))
                    .updateExpression("ADD un :one, seq :one").conditionExpression("attribute_exists(pk)")
                    .expressionAttributeValues(Map.of(":one", n(1)))).build());
        }
        try {
            Conflicts.retrying(() -> ddb.transactWriteItems(b -> b.transactItems(writes)));
            return true;
        } catch (TransactionCanceledException e) {
            if (publicationId != null && reason(e, 0).equals("ConditionalCheckFailed")) return false;
            throw e;
        }
    }

    @Override
    public Optional<Published> published(String conversationId, String publicationId) {
        Map<String, AttributeValue> mark = get(conversationId, PUBLICATION + publicationId);
        if (mark == null) return Optional.empty();
        AttributeValue rc = mark.get(REACHED);
        Set<String> reached = rc == null || !rc.hasSs() ? Set.of() : Set.copyOf(rc.ss());
        return message(conversationId, Items.str(mark, "id")).map(m -> new Published(m, reached));
    }

    @Override
    public void reached(String conversationId, String publicationId, Collection<String> connectionIds) {
        if (connectionIds.isEmpty()) return; // an empty set is no DynamoDB value
        try {
            ddb.updateItem(b -> b.tableName(table).key(key(conversationId, PUBLICATION + publicationId))
                    .updateExpression("ADD #rc :ids").conditionExpression("attribute_exists(pk)")
                    .expressionAttributeNames(Map.of("#rc", REACHED))
                    .expressionAttributeValues(Map.of(":ids", AttributeValue.fromSs(List.copyOf(connectionIds)))));
        } catch (ConditionalCheckFailedException e) {
            // the conversation was deleted with its marks: its retry has nothing left to deliver
        }
    }

    private static String reason(TransactionCanceledException e, int index) {
        if (!e.hasCancellationReasons() || e.cancellationReasons().size() <= index) return "";
        String code = e.cancellationReasons().get(index).code();
        return code == null ? "" : code;
    }

    @Override
    public Map<String, Long> unread(String conversationId, Collection<String> userIds) {
        Map<String, Long> out = new HashMap<>();
        for (String u : userIds) {
            Map<String, AttributeValue> m = get(conversationId, MEMBER + u);
            if (m != null) out.put(u, Items.num(m, "un", 0));
        }
        return out;
    }

    @Override
    public Optional<ChatMessage> message(String conversationId, String messageId) {
        Map<String, AttributeValue> m = get(conversationId, MSG + messageId);
        return m == null ? Optional.empty() : Optional.of(fromItem(conversationId, m));
    }

    @Override
    public long markRead(String conversationId, String userId, String messageId, Instant now) {
        for (int attempt = 1; attempt <= READ_ATTEMPTS; attempt++) {
            Map<String, AttributeValue> member = get(conversationId, MEMBER + userId);
            if (member == null) return 0;
            String lastRead = Items.str(member, "lr");
            if (lastRead != null && lastRead.compareTo(messageId) >= 0) return Items.num(member, "un", 0); // never backwards
            long seq = Items.num(member, "seq", 0);
            long left = countFromOthersAfter(conversationId, userId, messageId);
            try {
                Conflicts.retrying(() -> ddb.updateItem(b -> b.tableName(table).key(key(conversationId, MEMBER + userId))
                        .updateExpression("SET un = :n, lr = :lr, ra = :now").conditionExpression("seq = :seq")
                        .expressionAttributeValues(Map.of(":n", n(left), ":lr", s(messageId), ":now", n(now.toEpochMilli()),
                                ":seq", n(seq)))));
                return left;
            } catch (ConditionalCheckFailedException e) {
                // a message arrived between the count and the write: count again, after a pause
                // so a burst of sends in this conversation can pass
                pause(attempt);
            }
        }
        throw new IllegalStateException("read state of " + userId + " kept changing; try again");
    }

    private long countFromOthersAfter(String conversationId, String userId, String messageId) {
        long count = 0;
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            QueryResponse r = ddb.query(QueryRequest.builder().tableName(table).consistentRead(true).select(Select.COUNT)
                    .keyConditionExpression("pk = :pk AND sk BETWEEN :lo AND :hi")
                    .filterExpression("#s <> :me AND sk <> :lo AND attribute_not_exists(db)")
                    .expressionAttributeNames(Map.of("#s", "s"))
                    .expressionAttributeValues(Map.of(":pk", s("c#" + conversationId), ":lo", s(MSG + messageId), ":hi", s(MSG_END),
                            ":me", s(userId)))
                    .exclusiveStartKey(from).build());
            count += r.count();
            start = r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return count;
    }

    @Override
    public Map<String, String> readMarks(String conversationId) {
        Map<String, String> out = new HashMap<>();
        members(conversationId).forEach(i -> out.put(Items.str(i, "mu"), Items.str(i, "lr")));
        return out;
    }

    @Override
    /**
     * Marks the message deleted and, in the same transaction, takes it off the unread count of
     * each member who has not read it (each conditioned on the {@code seq} read, so a concurrent
     * send or read makes this read again, and {@link #markRead} recounts after it).
     */
    public Optional<ChatMessage> deleteMessage(String conversationId, String messageId, String deletedBy, Instant now) {
        for (int attempt = 1; ; attempt++) {
            Optional<ChatMessage> found = message(conversationId, messageId);
            if (found.isEmpty() || found.get().deleted()) return Optional.empty();
            ChatMessage m = found.get();
            List<TransactWriteItem> writes = new ArrayList<>();
            writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key(conversationId, MSG + messageId))
                    .updateExpression("SET db = :by, da = :now, ua = :now REMOVE ct, md")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(db)")
                    .expressionAttributeValues(Map.of(":by", s(deletedBy), ":now", n(now.toEpochMilli())))).build());
            for (Map<String, AttributeValue> member : members(conversationId)) {
                String user = Items.str(member, "mu");
                String lastRead = Items.str(member, "lr");
                if (user.equals(m.senderId()) || Items.num(member, "un", 0) <= 0) continue;
                if (lastRead != null && lastRead.compareTo(messageId) >= 0) continue; // read already: not counted
                writes.add(TransactWriteItem.builder().update(u -> u.tableName(table).key(key(conversationId, MEMBER + user))
                        .updateExpression("ADD un :minus, seq :one").conditionExpression("seq = :seq")
                        .expressionAttributeValues(Map.of(":minus", n(-1), ":one", n(1), ":seq", n(Items.num(member, "seq", 0))))).build());
            }
            try {
                Conflicts.retrying(() -> ddb.transactWriteItems(b -> b.transactItems(writes)));
                return message(conversationId, messageId);
            } catch (TransactionCanceledException e) {
                if (reason(e, 0).equals("ConditionalCheckFailed")) return Optional.empty(); // deleted meanwhile
                if (attempt >= READ_ATTEMPTS) throw e;
                pause(attempt); // a member's count moved: read again
            }
        }
    }

    private List<Map<String, AttributeValue>> members(String conversationId) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        ddb.queryPaginator(b -> b.tableName(table).consistentRead(true).keyConditionExpression("pk = :pk AND begins_with(sk, :m)")
                .expressionAttributeValues(Map.of(":pk", s("c#" + conversationId), ":m", s(MEMBER)))).items().forEach(out::add);
        return out;
    }

    @Override
    public boolean markDelivered(String conversationId, String messageId, Instant now) {
        try {
            ddb.updateItem(b -> b.tableName(table).key(key(conversationId, MSG + messageId)).updateExpression("SET dl = :now")
                    .conditionExpression("attribute_exists(pk) AND attribute_not_exists(dl)")
                    .expressionAttributeValues(Map.of(":now", n(now.toEpochMilli()))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    @Override
    public Page history(String conversationId, String before, int limit) {
        List<ChatMessage> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        boolean more = false;
        do {
            Map<String, AttributeValue> from = start;
            Map<String, AttributeValue> values = new HashMap<>(Map.of(":pk", s("c#" + conversationId), ":lo", s(MSG)));
            values.put(":hi", s(before == null ? MSG_END : MSG + before));
            QueryResponse r = ddb.query(QueryRequest.builder().tableName(table).keyConditionExpression("pk = :pk AND sk BETWEEN :lo AND :hi")
                    .expressionAttributeValues(values).scanIndexForward(false).limit(limit + 1).exclusiveStartKey(from).build());
            for (Map<String, AttributeValue> i : r.items()) {
                ChatMessage m = fromItem(conversationId, i);
                if (m.deleted() || m.id().equals(before)) continue;
                if (out.size() == limit) {
                    more = true;
                    break;
                }
                out.add(m);
            }
            start = !more && r.hasLastEvaluatedKey() && !r.lastEvaluatedKey().isEmpty() ? r.lastEvaluatedKey() : null;
        } while (start != null);
        return new Page(out, more ? out.get(out.size() - 1).id() : null);
    }

    @Override
    public void typingStarted(String conversationId, String userId, Instant at) {
        Map<String, AttributeValue> item = new HashMap<>(key(conversationId, TYPING + userId));
        item.put("at", n(at.toEpochMilli()));
        item.put(DynamoDbSchema.TTL, n(at.plusSeconds(3600).getEpochSecond()));
        ddb.putItem(b -> b.tableName(table).item(item));
    }

    @Override
    public boolean typingStopped(String conversationId, String userId, Instant startedAt) {
        try {
            Map<String, AttributeValue> old = ddb.deleteItem(b -> {
                b.tableName(table).key(key(conversationId, TYPING + userId)).returnValues(ReturnValue.ALL_OLD);
                if (startedAt != null) b.conditionExpression("#at = :at").expressionAttributeNames(Map.of("#at", "at"))
                        .expressionAttributeValues(Map.of(":at", n(startedAt.toEpochMilli())));
            }).attributes();
            return old != null && !old.isEmpty();
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static ChatMessage fromItem(String conversationId, Map<String, AttributeValue> i) {
        String md = Items.str(i, "md");
        JsonNode meta = md == null ? null : Json.parse(md);
        long dl = Items.num(i, "dl", 0);
        return new ChatMessage(Items.str(i, "id"), conversationId, Items.str(i, "s"), Items.str(i, "t"), Items.str(i, "ct"),
                meta instanceof ObjectNode o ? o : null, Instant.ofEpochMilli(Items.num(i, "ca", 0)),
                Instant.ofEpochMilli(Items.num(i, "ua", 0)), dl == 0 ? null : Instant.ofEpochMilli(dl), Items.str(i, "db"));
    }
}
