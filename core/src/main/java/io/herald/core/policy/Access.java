package io.herald.core.policy;

/** Who a policy rule lets read or publish a topic. */
public enum Access {
    /** Any connection, authenticated or not. */
    ANYONE,
    /** Any authenticated connection. */
    AUTHENTICATED,
    /** Only the user whose id is the rule's {@code {owner}} segment. */
    OWNER,
    /** Only members of the entity named by the rule's {@code {members}} segment. */
    MEMBERS,
    NOBODY;

    static Access parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown access '" + s + "' (anyone, authenticated, owner, members, nobody)");
        }
    }
}
