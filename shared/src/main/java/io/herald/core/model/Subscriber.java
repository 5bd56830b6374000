package io.herald.core.model;

/**
 * A stored subscription as fan-out reads it: enough to match, authorize and encode without
 * reading the connection item.
 *
 * @param userId the subscriber's user (null for anonymous), for delivery-time policy checks
 */
public record Subscriber(String connectionId, String profile, String userId, SubscriptionSpec spec) {}
