package io.herald.core.model;

/**
 * A stored subscription as fan-out reads it: enough to match, authorize and encode without
 * reading the connection item.
 *
 * @param userId the subscriber's user (null for anonymous), for the delivery-time policy check of
 *     wildcard patterns; stores may leave it null for exact patterns, which were authorized once at
 *     subscribe time for the one topic they can match
 */
public record Subscriber(String connectionId, String profile, String userId, SubscriptionSpec spec) {}
