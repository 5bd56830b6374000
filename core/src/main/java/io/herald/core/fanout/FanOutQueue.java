package io.herald.core.fanout;

import java.time.Duration;
import java.util.List;

/**
 * Where tree fan-out tasks wait for a worker (an SQS queue on AWS). Delivery is at least once: a
 * task may reach a worker twice, which {@link io.herald.core.service.FanOutService} absorbs.
 */
public interface FanOutQueue {
    /**
     * Hands every task to the queue, or throws: a task is either queued or reported, never lost
     * silently.
     *
     * @throws RuntimeException when some task could not be queued after the adapter's retries
     */
    void enqueue(List<FanOutTask> tasks);

    /**
     * Keeps a task that failed out of sight for {@code delay} before it is tried again (SQS:
     * ChangeMessageVisibility of the received message), so throttling slows the tree down.
     * Best-effort: a failure here only means the queue's own visibility timeout applies.
     *
     * @param handle what the queue gave with the task (SQS: the receipt handle)
     */
    void retryAfter(String handle, Duration delay);
}
