package io.herald.core.chat;

import io.herald.core.store.RateLimiter;
import io.herald.core.store.RateLimiter.Limit;
import io.herald.core.store.RateLimiter.Verdict;
import java.time.Instant;
import java.util.List;

/**
 * The document's per-user rates, counted in the shared {@link RateLimiter} so that every Lambda
 * instance and every connection of a user draws on one budget. As a {@link MessageCheck} it is
 * the last step before a message is stored: a message refused for its content never counts.
 *
 * <p>A user starts a conversation with their first message in it. The message budget is taken
 * first; a message refused by the conversation budget has still used one message.
 */
public final class ChatRateLimits implements MessageCheck {
    private final RateLimiter limiter;
    private final ChatLimits limits;
    private final ChatStore store;

    public ChatRateLimits(RateLimiter limiter, ChatLimits limits, ChatStore store) {
        this.limiter = limiter;
        this.limits = limits;
        this.store = store;
    }

    public ChatLimits limits() {
        return limits;
    }

    @Override
    public Draft check(Draft d, Instant now) {
        take(d.senderId() + "#messages", limits.messages(), now);
        if (!limits.conversations().isEmpty() && !store.started(d.conversationId(), d.senderId())) {
            take(d.senderId() + "#conversations", limits.conversations(), now);
            store.markStarted(d.conversationId(), d.senderId(), now);
        }
        return d;
    }

    /** typing:start (a stop is never refused: refusing it would leave the partner seeing "typing"). */
    public void typing(String userId, Instant now) {
        take(userId + "#typing", limits.typing(), now);
    }

    /** A handshake; the refusal's reason, or null when admitted. */
    public String connection(String userId, Instant now) {
        Verdict v = limiter.acquire(userId + "#connections", limits.connections(), now);
        return v.admitted() ? null : "Rate limited: " + v.exceeded().name() + " (" + v.exceeded().max() + "); retry after "
                + v.retryAfterSeconds() + " s";
    }

    private void take(String key, List<Limit> l, Instant now) {
        Verdict v = limiter.acquire(key, l, now);
        if (!v.admitted()) throw ChatException.rateLimited(v.exceeded().name(), v.retryAfterSeconds());
    }
}
