/**
 * The chat profile's behaviour (seed 002): conversations declared by backends, messages with ids
 * that sort by time, receipts, unread counts, typing with expiry, presence; and its ports.
 */
package io.herald.core.chat;
