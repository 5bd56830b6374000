package io.herald.core.policy;

/** Answers whether a user belongs to a group topic (a conversation). A port: the chat profile supplies one. */
@FunctionalInterface
public interface Membership {
    /** Nobody is a member of anything: the safe default when no membership source is configured. */
    Membership NONE = (userId, group) -> false;

    boolean isMember(String userId, String group);
}
