package io.herald.core.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;

/**
 * Runs a task later, at least once (the chat's typing expiry). On AWS an SQS queue with a
 * per-message delay; the task then reaches {@link ChatService#onTask} through the queue's function.
 */
@FunctionalInterface
public interface DelayedTasks {
    /** @throws RuntimeException when the task could not be scheduled */
    void schedule(ObjectNode task, Duration delay);
}
