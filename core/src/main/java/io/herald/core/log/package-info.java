/**
 * Structured log lines ({@link io.herald.core.log.EventLog}): a package of its own so that the
 * services and the profiles (chat) both log without depending on each other.
 */
package io.herald.core.log;
