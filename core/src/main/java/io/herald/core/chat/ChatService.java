package io.herald.core.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.profile.Effect;
import io.herald.core.profile.ProfileContext;
import io.herald.core.log.EventLog;
import io.herald.core.topic.Topic;
import io.herald.core.topic.TopicPattern;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What the chat's events do. A room is the topic {@code conversations.{id}}: joining subscribes the
 * connection to it. Membership comes from the backend's declaration ({@link ChatStore}), never from
 * joining. Client mistakes become {@link ChatException}s, rendered as the document's error frame.
 */
public final class ChatService {
    public static final String USERNAME = "username";
    public static final String AVATAR = "avatar_url";
    public static final String CONVERSATION_UPSERTED = "conversation.upserted";
    /** A backend's message (type {@code system} allowed): data {conversation_id, content, type?, metadata?}. */
    public static final String MESSAGE_POSTED = "conversation.message";
    public static final String SYSTEM_SENDER = "system";
    public static final int MAX_HISTORY = 100;
    public static final int DEFAULT_HISTORY = 50;
    /** Conversation and message ids: 1 to 200 characters (a DynamoDB key must stay small). */
    public static final int MAX_ID_LENGTH = 200;
    static final Set<String> STATUSES = Set.of("online", "away", "busy", "offline");

    private final ChatStore store;
    private final DelayedTasks delays;
    private final List<MessageCheck> checks;
    private final Duration typingExpiry;
    private final ChatRateLimits rates;
    private final Ulid ids = new Ulid();

    /**
     * @param checks       run in order before a client's message is stored ({@link MessageRules} first)
     * @param typingExpiry how long a typing:start stands without another start or a stop
     * @param rates        the per-user rates (typing and connections here; messages as one of the checks), or null for none
     */
    public ChatService(ChatStore store, DelayedTasks delays, List<MessageCheck> checks, Duration typingExpiry, ChatRateLimits rates) {
        this.store = store;
        this.delays = delays;
        this.checks = List.copyOf(checks);
        this.typingExpiry = typingExpiry;
        this.rates = rates;
    }

    public ChatService(ChatStore store, DelayedTasks delays, List<MessageCheck> checks, Duration typingExpiry) {
        this(store, delays, checks, typingExpiry, null);
    }

    /** New connections per minute: the reason for a 429, or null. */
    public String refuseConnection(String userId, Instant now) {
        return rates == null ? null : rates.connection(userId, now);
    }

    public ChatStore store() {
        return store;
    }

    static String room(String conversationId) {
        return "conversations." + Topic.segment(conversationId);
    }

    /** Publication types only a backend may publish: they declare conversations and post system messages. */
    public static boolean ownsType(String type) {
        return type != null && type.startsWith("conversation.");
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * {@code connection:established}, then {@code user:online} if this connection made the user
     * online: decided by the presence record, once per connection, never by the connections index
     * (it lags, so two connections opening at once each saw the other).
     */
    public List<Effect> connected(Connection c, ProfileContext ctx, Instant now) {
        List<Effect> out = new ArrayList<>();
        out.add(Effect.send(c.id(), ChatFrames.frame("connection:established", Json.object().put("user_id", c.userId())
                .put("connection_id", c.id()).put("timestamp", ChatFrames.time(now)), now)));
        if (c.userId() == null || c.expired(now) || !opened(c, now)) return out;
        ObjectNode d = Json.object().put("user_id", c.userId()).put("username", c.attribute(USERNAME)).put("online_at", ChatFrames.time(now));
        out.add(new Effect.Send(List.copyOf(audience(c.userId(), ctx, now)), ChatFrames.frame("user:online", d, now)));
        return out;
    }

    /** A presence store that fails costs the user:online, never the welcome. */
    private boolean opened(Connection c, Instant now) {
        try {
            return store.opened(c.userId(), c.id(), c.expiresAt(), now);
        } catch (RuntimeException e) {
            EventLog.STDOUT.log(EventLog.line("presence_open_failed").put("connectionId", c.id()).put("error", e.getClass().getSimpleName()));
            return false;
        }
    }

    /**
     * {@code user:offline} if this was the user's last open connection; whichever path forgets the
     * connection first ($disconnect, a 410, a TTL removal) announces it, the others find it closed.
     */
    public List<Effect> disconnected(Connection c, ProfileContext ctx, Instant now) {
        if (c.userId() == null || !store.closed(c.userId(), c.id(), c.expiresAt(), now)) return List.of();
        ObjectNode d = Json.object().put("user_id", c.userId()).put("username", c.attribute(USERNAME)).put("offline_at", ChatFrames.time(now));
        return List.of(new Effect.Send(List.copyOf(audience(c.userId(), ctx, now)), ChatFrames.frame("user:offline", d, now)));
    }

    /** The chat connections of every other member of the user's conversations. */
    private Set<String> audience(String userId, ProfileContext ctx, Instant now) {
        Set<String> members = new LinkedHashSet<>();
        for (String conv : store.conversationsOf(userId)) store.conversation(conv).ifPresent(k -> members.addAll(k.members()));
        members.remove(userId);
        Set<String> out = new LinkedHashSet<>();
        for (String m : members) ctx.connectionsOf(m, ChatProfile.NAME, now).forEach(x -> out.add(x.id()));
        return out;
    }

    // ------------------------------------------------------------------ client events

    public List<Effect> handle(String event, JsonNode data, Connection c, ProfileContext ctx, Instant now) {
        try {
            if (!data.isObject()) throw ChatException.field("data", "must be an object");
            return switch (event) {
                case "conversation:join" -> join(c, data, ctx, now);
                case "conversation:leave" -> leave(c, data, ctx, now);
                case "message:send" -> send(c, data, ctx, now);
                case "message:read" -> read(c, data, ctx, now);
                case "message:delete" -> delete(c, data, ctx, now);
                case "typing:start" -> typing(c, data, true, ctx, now);
                case "typing:stop" -> typing(c, data, false, ctx, now);
                case "user:status" -> status(c, data, ctx, now);
                default -> throw new ChatException(ChatException.INVALID_MESSAGE_TYPE, "Unknown event: " + ChatFrames.bounded(event),
                        "event", "unknown");
            };
        } catch (ChatException e) {
            return List.of(Effect.send(c.id(), ChatFrames.error(e, event, now)));
        } catch (RuntimeException e) {
            // a fault of ours (DynamoDB throttling, ...): the client hears of it, the socket stays
            EventLog.STDOUT.log(EventLog.line("chat_event_failed").put("event", event).put("connectionId", c.id())
                    .put("error", e.getClass().getSimpleName()));
            return List.of(Effect.send(c.id(), ChatFrames.error(ChatException.INTERNAL_ERROR, "Internal error, try again", null, null,
                    event, now)));
        }
    }

    private List<Effect> join(Connection c, JsonNode data, ProfileContext ctx, Instant now) {
        Conversation k = memberOf(c, data);
        String conv = k.id();
        switch (ctx.subscribe(c, TopicPattern.parse(room(conv)), now)) {
            case ADDED, ALREADY_SUBSCRIBED -> { } // joining twice is joined
            case LIMIT_REACHED -> throw new ChatException(ChatException.CONVERSATION_FULL,
                    "Cannot join: this connection's room limit is reached", null, null);
            case BUSY -> throw new ChatException(ChatException.INTERNAL_ERROR, "Join not stored: busy, try again", null, null);
            case CONNECTION_GONE -> {
                return List.of(); // nobody left to answer
            }
        }
        List<Effect> out = new ArrayList<>(reply(c, "conversation:joined", Json.object().put("conversation_id", conv)
                .put("joined_at", ChatFrames.time(now)), now));
        // the joiner learns the stored status of members online now (the document has no other way to
        // it); best effort: the join itself is done
        List<String> others = k.members().stream().filter(m -> !m.equals(c.userId())).toList();
        try {
            store.online(others, now).values().stream().filter(p -> p.status() != null).forEach(p -> out.add(Effect.send(c.id(),
                    statusFrame(p.userId(), p.status(), p.statusAt(), now))));
        } catch (RuntimeException e) {
            EventLog.STDOUT.log(EventLog.line("presence_read_failed").put("connectionId", c.id()).put("error", e.getClass().getSimpleName()));
        }
        return out;
    }

    private static String statusFrame(String userId, String status, Instant at, Instant now) {
        return ChatFrames.frame("user:status_updated", Json.object().put("user_id", userId).put("status", status)
                .put("updated_at", ChatFrames.time(at)), now);
    }

    private List<Effect> leave(Connection c, JsonNode data, ProfileContext ctx, Instant now) {
        String conv = memberOf(c, data).id();
        ctx.unsubscribe(c, TopicPattern.parse(room(conv)));
        return reply(c, "conversation:left", Json.object().put("conversation_id", conv).put("left_at", ChatFrames.time(now)), now);
    }

    private List<Effect> send(Connection c, JsonNode data, ProfileContext ctx, Instant now) {
        String conv = id(data, "conversation_id");
        String type = requiredText(data, "type");
        JsonNode content = data.get("content");
        if (content != null && !content.isNull() && !content.isTextual()) throw ChatException.field("content", "must be a string");
        JsonNode metadata = data.get("metadata");
        if (metadata != null && !metadata.isNull() && !metadata.isObject()) throw ChatException.field("metadata", "must be an object");
        MessageCheck.Draft draft = new MessageCheck.Draft(conv, c.userId(), type, content == null || content.isNull() ? null : content.asText(),
                metadata instanceof ObjectNode o ? o : Json.object());
        if (!MessageRules.TYPES.contains(type)) {
            throw new ChatException(ChatException.INVALID_MESSAGE_TYPE, "Unsupported message type: " + ChatFrames.bounded(type), "type",
                    "one of " + MessageRules.TYPES);
        }
        Conversation k = conversationOf(c, conv);
        for (MessageCheck check : checks) draft = check.check(draft, now);
        ChatMessage m = post(k, draft, null, now).orElseThrow();
        // a client frame has no trigger to retry it: a recipient not reached now finds the message
        // in history (the sender's message:delivered then follows), see README "Chat"
        ProfileContext.Posted posted = deliver(k, m, sender(c), c, Set.of(), ctx, now);
        if (posted.retryable() > 0) {
            EventLog.STDOUT.log(EventLog.line("chat_live_incomplete").put("messageId", m.id()).put("connectionId", c.id())
                    .put("reached", posted.reached().size()).put("retryable", posted.retryable()));
        }
        return List.of();
    }

    /** Stores the message; empty when {@code publicationId} was stored before (a backend's retry). */
    private Optional<ChatMessage> post(Conversation k, MessageCheck.Draft d, String publicationId, Instant now) {
        ChatMessage m = new ChatMessage(ids.next(now), k.id(), d.senderId(), d.type(), d.content() == null ? "" : d.content(),
                d.metadata(), now, now, null, null);
        Set<String> recipients = new LinkedHashSet<>(k.members());
        recipients.remove(d.senderId());
        return store.append(m, recipients, publicationId) ? Optional.of(m) : Optional.empty();
    }

    /** Connection id to user for every live chat connection of the conversation's current members. */
    private static Map<String, String> memberConnections(Conversation k, ProfileContext ctx, Instant now) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String member : k.members()) ctx.connectionsOf(member, ChatProfile.NAME, now).forEach(x -> out.put(x.id(), member));
        return out;
    }

    /** The room's subscribers that belong to current members: a removed member's late subscription gets nothing. */
    private static Set<String> room(Conversation k, Map<String, String> members, ProfileContext ctx, Instant now) {
        Set<String> room = new LinkedHashSet<>(ctx.subscribers(room(k.id()), ChatProfile.NAME, now));
        room.retainAll(members.keySet());
        return room;
    }

    /**
     * {@code message:new} to the sending connection (the acknowledgement) and the room; members
     * online but not in the room get {@code conversation:unread} with their count; the sender gets
     * {@code message:delivered} once a recipient's connection received either. All go out as one
     * batch with the fan-out's care (a connection still in $connect is retried through its window).
     *
     * @param skip connections an earlier attempt of the same publication reached
     * @return what the posts did: {@code retryable} counts member connections not reached for now
     */
    private ProfileContext.Posted deliver(Conversation k, ChatMessage m, ObjectNode sender, Connection from, Set<String> skip,
            ProfileContext ctx, Instant now) {
        ObjectNode d = Json.object();
        d.set("message", ChatFrames.message(m, false));
        d.set("sender", sender);
        Map<String, String> members = memberConnections(k, ctx, now);
        Set<String> room = room(k, members, ctx, now);
        String fresh = ChatFrames.frame("message:new", d, now);
        Map<String, String> frames = new LinkedHashMap<>(); // connection -> its frame
        if (from != null) frames.put(from.id(), fresh);
        room.forEach(connection -> frames.put(connection, fresh));

        Map<String, List<String>> away = new LinkedHashMap<>(); // recipient -> connections outside the room
        Set<String> senderConnections = new LinkedHashSet<>();
        members.forEach((connection, member) -> {
            if (member.equals(m.senderId())) senderConnections.add(connection);
            else if (!room.contains(connection) && !skip.contains(connection)) {
                away.computeIfAbsent(member, u -> new ArrayList<>()).add(connection);
            }
        });
        if (!away.isEmpty()) {
            Map<String, Long> counts = store.unread(k.id(), away.keySet());
            ObjectNode last = Json.object().put("id", m.id()).put("content", m.content()).put("type", m.type())
                    .put("sender_id", m.senderId()).put("created_at", ChatFrames.time(m.createdAt()));
            away.forEach((member, conns) -> {
                ObjectNode u = Json.object().put("conversation_id", k.id()).put("unread_count", counts.getOrDefault(member, 0L));
                u.set("last_message", last);
                String unread = ChatFrames.frame("conversation:unread", u, now);
                conns.forEach(connection -> frames.put(connection, unread));
            });
        }
        frames.keySet().removeAll(skip);
        ProfileContext.Posted posted = ctx.post(frames, now);

        Set<String> recipientsReached = new HashSet<>(posted.reached());
        recipientsReached.removeAll(senderConnections);
        if (from != null) recipientsReached.remove(from.id());
        if (!recipientsReached.isEmpty() && store.markDelivered(k.id(), m.id(), now) && !SYSTEM_SENDER.equals(m.senderId())) {
            ctx.send(senderConnections, delivered(m, now));
        }
        return posted;
    }

    private static String delivered(ChatMessage m, Instant at) {
        return ChatFrames.frame("message:delivered", Json.object().put("message_id", m.id()).put("conversation_id", m.conversationId())
                .put("delivered_at", ChatFrames.time(at)), at);
    }

    private static ObjectNode sender(Connection c) {
        return Json.object().put("id", c.userId()).put("username", c.attribute(USERNAME)).put("avatar_url", c.attribute(AVATAR));
    }

    private List<Effect> read(Connection c, JsonNode data, ProfileContext ctx, Instant now) {
        String conv = id(data, "conversation_id");
        String id = id(data, "message_id");
        Conversation k = conversationOf(c, conv);
        if (!Ulid.isValid(id) || store.message(conv, id).isEmpty()) {
            throw new ChatException(ChatException.NOT_FOUND, "Message not found", "message_id", "not found");
        }
        store.markRead(conv, c.userId(), id, now);
        String frame = ChatFrames.frame("message:viewed", Json.object().put("message_id", id).put("conversation_id", conv)
                .put("viewed_at", ChatFrames.time(now)), now);
        Set<String> to = new LinkedHashSet<>();
        to.add(c.id());
        for (String member : k.members()) {
            if (!member.equals(c.userId())) ctx.connectionsOf(member, ChatProfile.NAME, now).forEach(x -> to.add(x.id()));
        }
        return List.of(new Effect.Send(List.copyOf(to), frame));
    }

    private List<Effect> delete(Connection c, JsonNode data, ProfileContext ctx, Instant now) {
        String conv = id(data, "conversation_id");
        String id = id(data, "message_id");
        Conversation k = conversationOf(c, conv);
        Optional<ChatMessage> gone = Ulid.isValid(id) ? store.deleteMessage(conv, id, c.userId(), now) : Optional.empty();
        if (gone.isEmpty()) throw new ChatException(ChatException.NOT_FOUND, "Message not found", "message_id", "not found");
        Set<String> to = room(k, memberConnections(k, ctx, now), ctx, now);
        to.add(c.id());
        return List.of(new Effect.Send(List.copyOf(to), ChatFrames.frame("message:deleted", Json.object().put("message_id", id)
                .put("conversation_id", conv).put("deleted_by", c.userId()).put("deleted_at", ChatFrames.time(now)), now)));
    }

    private List<Effect> typing(Connection c, JsonNode data, boolean typing, ProfileContext ctx, Instant now) {
        Conversation k = memberOf(c, data);
        String conv = k.id();
        if (typing && rates != null) rates.typing(c.userId(), now);
        if (typing) {
            store.typingStarted(conv, c.userId(), now);
            ObjectNode task = Json.object().put("task", "typing.expire").put("conversation_id", conv).put("user_id", c.userId())
                    .put("username", c.attribute(USERNAME)).put("started_at", now.toEpochMilli());
            try {
                delays.schedule(task, typingExpiry);
            } catch (RuntimeException e) {
                // the indicator still goes out; without its expiry only the client's stop clears it
                EventLog.STDOUT.log(EventLog.line("typing_expiry_unscheduled").put("error", e.getClass().getSimpleName()));
            }
        } else {
            store.typingStopped(conv, c.userId(), null);
        }
        return List.of(indicator(k, c.userId(), c.attribute(USERNAME), typing, ctx, now));
    }

    /** To the members in the room, never back to any of the typist's connections. */
    private static Effect indicator(Conversation k, String userId, String username, boolean typing, ProfileContext ctx, Instant now) {
        Map<String, String> members = memberConnections(k, ctx, now);
        Set<String> to = room(k, members, ctx, now);
        ctx.connectionsOf(userId, ChatProfile.NAME, now).forEach(x -> to.remove(x.id()));
        String conv = k.id();
        return new Effect.Send(List.copyOf(to), ChatFrames.frame("typing:indicator", Json.object().put("conversation_id", conv)
                .put("user_id", userId).put("username", username).put("is_typing", typing).put("timestamp", ChatFrames.time(now)), now));
    }

    private List<Effect> status(Connection c, JsonNode data, ProfileContext ctx, Instant now) {
        String status = requiredText(data, "status");
        if (!STATUSES.contains(status)) throw ChatException.field("status", "one of " + STATUSES);
        store.status(c.userId(), status, now); // kept: a member joining a conversation later learns it
        Set<String> to = new LinkedHashSet<>();
        to.add(c.id());
        to.addAll(audience(c.userId(), ctx, now));
        return List.of(new Effect.Send(List.copyOf(to), statusFrame(c.userId(), status, now, now)));
    }

    private static List<Effect> reply(Connection c, String event, ObjectNode data, Instant now) {
        return List.of(Effect.send(c.id(), ChatFrames.frame(event, data, now)));
    }

    private Conversation memberOf(Connection c, JsonNode data) {
        return conversationOf(c, id(data, "conversation_id"));
    }

    private Conversation conversationOf(Connection c, String conv) {
        Conversation k = existing(conv);
        if (!k.hasMember(c.userId())) {
            throw new ChatException(ChatException.FORBIDDEN, "Not a member of this conversation", "conversation_id", "forbidden");
        }
        return k;
    }

    /** @throws ChatException NOT_FOUND when nobody declared it (or it was deleted) */
    private Conversation existing(String conv) {
        return store.conversation(conv)
                .orElseThrow(() -> new ChatException(ChatException.NOT_FOUND, "Conversation not found", "conversation_id", "not found"));
    }

    /** A conversation or message id: required, a string, at most {@link #MAX_ID_LENGTH} characters. */
    static String id(JsonNode data, String field) {
        return checkedId(requiredText(data, field), field);
    }

    /** @throws ChatException VALIDATION_ERROR (details.field) for a blank or overlong id */
    public static String checkedId(String id, String field) {
        if (id == null || id.isBlank() || id.length() > MAX_ID_LENGTH) throw ChatException.field(field, "1 to " + MAX_ID_LENGTH + " characters");
        return id;
    }

    static String requiredText(JsonNode data, String field) {
        JsonNode v = data.get(field);
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isBlank())) throw ChatException.field(field, field + " is required");
        if (!v.isTextual()) throw ChatException.field(field, "must be a string");
        return v.asText();
    }

    // ------------------------------------------------------------------ timers and backends

    /** A delayed task came due (typing expiry): clears a typing mark nobody renewed or stopped. */
    public void onTask(JsonNode task, ProfileContext ctx, Instant now) {
        if (!"typing.expire".equals(Json.text(task, "task"))) return;
        String conv = Json.text(task, "conversation_id");
        String user = Json.text(task, "user_id");
        Instant started = Instant.ofEpochMilli(task.path("started_at").asLong());
        if (conv == null || user == null) return;
        if (store.typingStopped(conv, user, started)) {
            store.conversation(conv).ifPresent(k -> ctx.run(List.of(indicator(k, user, Json.text(task, "username"), false, ctx, now)), now));
        }
    }

    /**
     * Backend publications the chat acts on: {@code conversation.upserted} stores the conversation;
     * {@code conversation.message} stores and delivers a backend's message (the only way to a
     * {@code system} message). Others pass through to fan-out unchanged.
     *
     * <p>A posted message is stored once per publication id and delivered live at least once to
     * every member connection reachable: when some could not be reached, the connections reached
     * are kept with the publication's mark and the result says so ({@code retryable} above 0), so
     * the caller fails the publication retryably; its retry finds the message stored and posts to
     * the rest only. A retry after a crash (nothing kept) posts to everyone again.
     *
     * @return what the live posts did ({@link ProfileContext.Posted#NONE} for other types)
     * @throws ChatException for invalid data (the publication is refused)
     */
    public ProfileContext.Posted onPublication(Publication p, ProfileContext ctx, Instant now) {
        if (CONVERSATION_UPSERTED.equals(p.type())) {
            upsert(id(p.data(), "conversation_id"), p.data().get("members"), ctx, now);
            return ProfileContext.Posted.NONE;
        }
        if (!MESSAGE_POSTED.equals(p.type())) return ProfileContext.Posted.NONE;
        Conversation k = existing(id(p.data(), "conversation_id"));
        String conv = k.id();
        String type = p.data().path("type").asText("system");
        JsonNode meta = p.data().get("metadata");
        MessageCheck.Draft d = new MessageCheck.Draft(conv, SYSTEM_SENDER, type, Json.text(p.data(), "content"),
                meta instanceof ObjectNode o ? o : Json.object());
        if (!"system".equals(type)) d = new MessageRules().check(d, now);
        else if (d.content() == null || d.content().isBlank()) throw ChatException.field("content", "Message content cannot be empty");
        ChatMessage m;
        Set<String> skip = Set.of();
        Optional<ChatMessage> stored = post(k, d, p.id(), now);
        if (stored.isPresent()) {
            m = stored.get();
        } else {
            // an earlier attempt stored it and did not complete: deliver what it did not
            Optional<ChatStore.Published> before = store.published(conv, p.id());
            if (before.isEmpty() || before.get().message().deleted()) return ProfileContext.Posted.NONE;
            m = before.get().message();
            skip = before.get().reached();
        }
        ObjectNode system = Json.object().put("id", SYSTEM_SENDER).put("username", SYSTEM_SENDER).putNull("avatar_url");
        ProfileContext.Posted posted = deliver(k, m, system, null, skip, ctx, now);
        if (posted.retryable() == 0) return posted;
        EventLog.STDOUT.log(EventLog.line("chat_live_incomplete").put("publicationId", p.id()).put("messageId", m.id())
                .put("skipped", skip.size()).put("reached", posted.reached().size()).put("retryable", posted.retryable()));
        if (p.id() != null) { // without an id nothing retries it: as a fan-out without one, logged only
            try {
                store.reached(conv, p.id(), posted.reached());
            } catch (RuntimeException e) {
                // the retry then posts to those reached now again: twice for them, never lost
                EventLog.STDOUT.log(EventLog.line("chat_reached_unrecorded").put("publicationId", p.id())
                        .put("error", e.getClass().getSimpleName()));
            }
        }
        return posted;
    }

    /** PUT /conversations/{id} and conversation.upserted; removed members leave the room. */
    public Conversation upsert(String conversationId, JsonNode members, ProfileContext ctx, Instant now) {
        checkedId(conversationId, "conversation_id");
        if (members == null || !members.isArray() || members.isEmpty()) throw ChatException.field("members", "a non-empty array of user ids");
        List<String> list = new ArrayList<>();
        for (JsonNode m : members) {
            if (!m.isTextual() || m.asText().isBlank()) throw ChatException.field("members", "user ids are non-empty strings");
            if (!list.contains(m.asText())) list.add(m.asText());
        }
        if (list.size() > ChatStore.MAX_MEMBERS) {
            throw new ChatException(ChatException.CONVERSATION_FULL, "At most " + ChatStore.MAX_MEMBERS + " members", "members", "too many");
        }
        Optional<Conversation> before = store.conversation(conversationId);
        Conversation after = store.upsert(conversationId, list, now);
        before.ifPresent(old -> leaveRoom(conversationId, old.members().stream().filter(u -> !after.hasMember(u)).toList(), ctx, now));
        return after;
    }

    /** GET /conversations/{id}. */
    public Optional<Conversation> conversation(String conversationId) {
        return store.conversation(checkedId(conversationId, "conversation_id"));
    }

    /** DELETE /conversations/{id}: its members leave the room too. False when it did not exist. */
    public boolean delete(String conversationId, ProfileContext ctx, Instant now) {
        Optional<Conversation> k = store.conversation(checkedId(conversationId, "conversation_id"));
        boolean existed = store.delete(conversationId);
        k.ifPresent(old -> leaveRoom(conversationId, old.members(), ctx, now));
        return existed;
    }

    /**
     * Removes the users' room subscriptions, so topic fan-out to the room stops reaching them too.
     * Best effort (the user index lags): the chat's own sends check membership regardless.
     */
    private static void leaveRoom(String conversationId, List<String> users, ProfileContext ctx, Instant now) {
        TopicPattern room = TopicPattern.parse(room(conversationId));
        for (String u : users) ctx.connectionsOf(u, ChatProfile.NAME, now).forEach(c -> ctx.unsubscribe(c, room));
    }

    public static ObjectNode toJson(Conversation k) {
        ObjectNode o = Json.object().put("conversation_id", k.id());
        ArrayNode m = o.putArray("members");
        k.members().forEach(m::add);
        return o.put("created_at", ChatFrames.time(k.createdAt())).put("updated_at", ChatFrames.time(k.updatedAt()));
    }

    /**
     * GET /conversations/{id}/messages for a member: newest first, deleted left out. Messages from
     * others not yet delivered anywhere count as delivered now: their senders get message:delivered.
     *
     * @throws ChatException NOT_FOUND, FORBIDDEN, or VALIDATION_ERROR for a bad limit or before
     */
    public ObjectNode history(String conversationId, String userId, String before, String limit, ProfileContext ctx, Instant now) {
        Conversation k = existing(checkedId(conversationId, "conversation_id"));
        if (!k.hasMember(userId)) throw new ChatException(ChatException.FORBIDDEN, "Not a member of this conversation", null, null);
        int n = DEFAULT_HISTORY;
        if (limit != null) {
            try {
                n = Integer.parseInt(limit);
            } catch (NumberFormatException e) {
                n = -1;
            }
            if (n < 1 || n > MAX_HISTORY) throw ChatException.field("limit", "an integer from 1 to " + MAX_HISTORY);
        }
        if (before != null && !Ulid.isValid(before)) throw ChatException.field("before", "a message id");
        ChatStore.Page page = store.history(conversationId, before, n);
        Map<String, String> marks = store.readMarks(conversationId);
        ObjectNode out = Json.object();
        ArrayNode arr = out.putArray("messages");
        for (ChatMessage m : page.messages()) {
            arr.add(ChatFrames.message(m, isRead(m, marks)));
            if (m.deliveredAt() == null && !m.senderId().equals(userId) && store.markDelivered(conversationId, m.id(), now)
                    && !SYSTEM_SENDER.equals(m.senderId())) {
                ctx.send(ctx.connectionsOf(m.senderId(), ChatProfile.NAME, now).stream().map(Connection::id).toList(), delivered(m, now));
            }
        }
        if (page.nextBefore() == null) out.putNull("next_before");
        else out.put("next_before", page.nextBefore());
        return out;
    }

    /** Read when a member other than its sender has read up to it or beyond. */
    static boolean isRead(ChatMessage m, Map<String, String> marks) {
        for (Map.Entry<String, String> e : marks.entrySet()) {
            if (!e.getKey().equals(m.senderId()) && e.getValue() != null && e.getValue().compareTo(m.id()) >= 0) return true;
        }
        return false;
    }
}
