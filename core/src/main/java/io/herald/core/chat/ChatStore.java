package io.herald.core.chat;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where conversations, members, messages, read state, typing marks and presence live. Every read
 * is a key operation or a Query; nothing scans. Methods throw the adapter's runtime exceptions for
 * faults.
 */
public interface ChatStore extends PresenceStore {
    Optional<Conversation> conversation(String conversationId);

    /**
     * Creates or replaces the member list; members kept keep their read state and unread count.
     *
     * @throws IllegalArgumentException for more than {@link #MAX_MEMBERS} members
     */
    Conversation upsert(String conversationId, List<String> members, Instant now);

    /** Removes the conversation, its members and its messages; false when it did not exist. */
    boolean delete(String conversationId);

    /** Consistent: a member added a moment ago may send at once. */
    boolean isMember(String conversationId, String userId);

    /** The conversations the user belongs to (a Query on the member index). */
    List<String> conversationsOf(String userId);

    /**
     * Stores the message and adds one to the unread count of each recipient, atomically together
     * (one transaction), so {@link #markRead} can count exactly. With a publication id, only once
     * per id: false (nothing written) when a message of that publication was stored before.
     */
    boolean append(ChatMessage message, Collection<String> recipients, String publicationId);

    /**
     * What a backend publication stored: its message, and the connections that earlier attempts
     * reached with its live event ({@link #reached}). Empty when the publication stored nothing, or
     * its message is gone (expired, its conversation deleted).
     */
    Optional<Published> published(String conversationId, String publicationId);

    record Published(ChatMessage message, Set<String> reached) {}

    /**
     * Adds connections a publication's live event reached, kept with the publication's mark so the
     * retry of an incomplete delivery posts only to the rest. Nothing when the mark is gone.
     */
    void reached(String conversationId, String publicationId, Collection<String> connectionIds);

    /** The members' unread counts, read consistently. */
    Map<String, Long> unread(String conversationId, Collection<String> userIds);

    Optional<ChatMessage> message(String conversationId, String messageId);

    /**
     * Marks everything up to {@code messageId} read for {@code userId} and returns the unread count
     * left (messages from others after it). Exact under concurrent sends; never moves backwards.
     */
    long markRead(String conversationId, String userId, String messageId, Instant now);

    /** Each member's last read message id (absent: nothing read). */
    Map<String, String> readMarks(String conversationId);

    /** Drops content and metadata, keeps who deleted it and when; empty if absent or already deleted. */
    Optional<ChatMessage> deleteMessage(String conversationId, String messageId, String deletedBy, Instant now);

    /** Records the first delivery; true only for the call that recorded it. */
    boolean markDelivered(String conversationId, String messageId, Instant now);

    /** Newest first, deleted ones left out, at most {@code limit}, older than {@code before} if given. */
    Page history(String conversationId, String before, int limit);

    record Page(List<ChatMessage> messages, String nextBefore) {}

    /** Records that the user is typing since {@code at}. */
    void typingStarted(String conversationId, String userId, Instant at);

    /**
     * Clears the typing mark; with {@code startedAt}, only if it is still that one (a later start
     * keeps it). True when a mark was cleared.
     */
    boolean typingStopped(String conversationId, String userId, Instant startedAt);

    /** Whether the user has sent a message in the conversation (consistent; a new conversation's budget depends on it). */
    boolean started(String conversationId, String userId);

    /** Records that the user has sent in the conversation; the first time counts, later calls change nothing. */
    void markStarted(String conversationId, String userId, Instant now);

    /** One transaction writes the conversation and every member change (DynamoDB's 100-item limit). */
    int MAX_MEMBERS = 49;
}
