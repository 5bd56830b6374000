package io.herald.core.chat;

import io.herald.core.config.Settings;
import io.herald.core.store.RateLimiter.Limit;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The chat document's limits, each a template parameter (README, "Chat limits"); the document's
 * numbers are the defaults. A rate of 0 switches that limit off.
 *
 * @param maxConnectionsPerUser open chat connections one user may hold; the next handshake gets 429
 * @param maxMessageBytes       the largest client frame, in UTF-8 bytes; more is MESSAGE_TOO_LARGE
 */
public record ChatLimits(int messagesPerMinute, int messagesPerHour, int messagesPerDay, int typingPerMinute,
        int connectionsPerMinute, int conversationsPerDay, int maxConnectionsPerUser, int maxMessageBytes) {

    public static final ChatLimits DOCUMENT = new ChatLimits(30, 500, 2000, 20, 10, 50, 5, 32 * 1024);

    /** @throws IllegalArgumentException naming the variable whose value is unusable */
    public static ChatLimits from(Settings s) {
        ChatLimits d = DOCUMENT;
        return new ChatLimits(
                s.nonNegativeInt("HERALD_CHAT_MESSAGES_PER_MINUTE", d.messagesPerMinute),
                s.nonNegativeInt("HERALD_CHAT_MESSAGES_PER_HOUR", d.messagesPerHour),
                s.nonNegativeInt("HERALD_CHAT_MESSAGES_PER_DAY", d.messagesPerDay),
                s.nonNegativeInt("HERALD_CHAT_TYPING_PER_MINUTE", d.typingPerMinute),
                s.nonNegativeInt("HERALD_CHAT_CONNECTIONS_PER_MINUTE", d.connectionsPerMinute),
                s.nonNegativeInt("HERALD_CHAT_CONVERSATIONS_PER_DAY", d.conversationsPerDay),
                s.nonNegativeInt("HERALD_CHAT_MAX_CONNECTIONS_PER_USER", d.maxConnectionsPerUser),
                s.intBetween("HERALD_CHAT_MAX_MESSAGE_BYTES", d.maxMessageBytes, 1, 128 * 1024));
    }

    List<Limit> messages() {
        return limits(new Limit[] {limit("messages_per_minute", messagesPerMinute, Duration.ofMinutes(1)),
                limit("messages_per_hour", messagesPerHour, Duration.ofHours(1)), limit("messages_per_day", messagesPerDay, Duration.ofDays(1))});
    }

    List<Limit> typing() {
        return limits(new Limit[] {limit("typing_per_minute", typingPerMinute, Duration.ofMinutes(1))});
    }

    List<Limit> connections() {
        return limits(new Limit[] {limit("connections_per_minute", connectionsPerMinute, Duration.ofMinutes(1))});
    }

    List<Limit> conversations() {
        return limits(new Limit[] {limit("conversations_per_day", conversationsPerDay, Duration.ofDays(1))});
    }

    private static Limit limit(String name, int max, Duration window) {
        return max == 0 ? null : new Limit(name, max, window);
    }

    /** The limits switched on (the store names a window by its length, so dropping one moves nothing). */
    private static List<Limit> limits(Limit[] all) {
        List<Limit> on = new ArrayList<>();
        for (Limit l : all) if (l != null) on.add(l);
        return on;
    }
}
