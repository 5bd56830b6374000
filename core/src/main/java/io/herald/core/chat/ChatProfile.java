package io.herald.core.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.auth.Identity;
import io.herald.core.json.Json;
import io.herald.core.model.Connection;
import io.herald.core.model.Publication;
import io.herald.core.profile.Command;
import io.herald.core.profile.Effect;
import io.herald.core.profile.Profile;
import io.herald.core.profile.ProfileContext;
import io.herald.core.profile.Reply;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The dating app's chat (seed 002): {@code {event: "ns:action", data, timestamp}}, token at connect
 * ({@code Authorization: Bearer} or {@code ?token=}). The codec is here; what the events do is
 * {@link ChatService}'s.
 */
public final class ChatProfile implements Profile {
    public static final String NAME = "chat";
    private final ChatService chat;
    private final int maxMessageBytes;

    /** @param maxMessageBytes the largest client frame in UTF-8 bytes (the document's 32 KB); more is MESSAGE_TOO_LARGE */
    public ChatProfile(ChatService chat, int maxMessageBytes) {
        this.chat = chat;
        this.maxMessageBytes = maxMessageBytes;
    }

    public ChatProfile(ChatService chat) {
        this(chat, ChatLimits.DOCUMENT.maxMessageBytes());
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public TokenAtConnect tokenAtConnect() {
        return TokenAtConnect.REQUIRED;
    }

    /** message:new, typing and receipts go to each member's connections as the user index lists them. */
    @Override
    public boolean reachedThroughUserIndex() {
        return true;
    }

    /** The sender block of {@code message:new} and the typing indicator come from the token. */
    @Override
    public Map<String, String> connectAttributes(Map<String, String> query, Identity identity) {
        Map<String, String> a = new HashMap<>();
        a.put(ChatService.USERNAME, identity.displayName());
        if (identity.avatarUrl() != null) a.put(ChatService.AVATAR, identity.avatarUrl());
        return a;
    }

    @Override
    public String refuseConnection(String userId, Instant now) {
        return chat.refuseConnection(userId, now);
    }

    @Override
    public Command decode(String frame) {
        // a UTF-8 byte is at most one char; a longer frame is counted exactly
        if (frame.length() > maxMessageBytes / 3 && frame.getBytes(StandardCharsets.UTF_8).length > maxMessageBytes) {
            return new Command.Invalid(400, "Message too large: the limit is " + maxMessageBytes + " bytes", null, "too_large");
        }
        JsonNode m;
        try {
            m = Json.parse(frame);
        } catch (Json.MalformedJsonException e) {
            return new Command.Invalid(400, "Malformed JSON", null, null);
        }
        if (!(m instanceof ObjectNode o)) return new Command.Invalid(400, "A frame must be a JSON object", null, null);
        JsonNode event = o.get("event");
        if (event == null || !event.isTextual() || event.asText().isBlank()) {
            return Command.Invalid.field("Missing required field: event", "event", "required");
        }
        JsonNode data = o.get("data");
        return new Command.Own(event.asText(), data == null || data.isNull() ? Json.object() : data);
    }

    @Override
    public boolean requiresAuth(Command c) {
        return false; // every chat connection authenticated at connect
    }

    @Override
    public String render(Reply reply, Connection connection, Instant now) {
        if (!(reply instanceof Reply.Error e)) return null; // the document has no pong or stats
        String code = "too_large".equals(e.issue()) ? ChatException.MESSAGE_TOO_LARGE
                : switch (e.code()) {
                    case 401 -> ChatException.UNAUTHORIZED;
                    case 403 -> ChatException.FORBIDDEN;
                    case 404 -> ChatException.NOT_FOUND;
                    case 413 -> ChatException.MESSAGE_TOO_LARGE;
                    case 400 -> ChatException.VALIDATION_ERROR;
                    default -> ChatException.INTERNAL_ERROR;
                };
        return ChatFrames.error(code, e.message(), e.field(), e.issue(), null, now);
    }

    /**
     * Backend publications to a conversation or a user show as themselves: {@code event} is the
     * publication's type. {@code conversation.*} are Herald's own (the chat shows a posted message
     * as {@code message:new} itself) and are not shown.
     */
    @Override
    public String renderEvent(Publication p, String topic, Instant now) {
        if (ChatService.ownsType(p.type())) return null;
        return ChatFrames.frame(p.type(), p.data(), now);
    }

    @Override
    public List<Effect> connected(Connection c, ProfileContext ctx, Instant now) {
        return chat.connected(c, ctx, now);
    }

    @Override
    public List<Effect> disconnected(Connection c, ProfileContext ctx, Instant now) {
        return chat.disconnected(c, ctx, now);
    }

    @Override
    public List<Effect> handle(Command.Own command, Connection c, ProfileContext ctx, Instant now) {
        return chat.handle(command.name(), command.data(), c, ctx, now);
    }

    @Override
    public String closingFrame(Connection c, String reason, int code, Instant now) {
        return ChatFrames.frame("connection:closed", Json.object().put("reason", reason).put("code", code)
                .put("timestamp", ChatFrames.time(now)), now);
    }
}
