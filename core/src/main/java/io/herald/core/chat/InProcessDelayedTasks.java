package io.herald.core.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * INTERIM, for the local stack only until it emulates SQS: runs tasks on a timer in this JVM.
 * Wrong on Lambda (a frozen or recycled container never fires), which is why the template always
 * gives the functions a queue and this is used only when none is configured.
 */
public final class InProcessDelayedTasks implements DelayedTasks {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "herald-delayed-tasks");
        t.setDaemon(true);
        return t;
    });
    private volatile Consumer<ObjectNode> target = t -> { };

    /** Where due tasks go (the chat service of the same container). */
    public void deliverTo(Consumer<ObjectNode> target) {
        this.target = target;
    }

    @Override
    public void schedule(ObjectNode task, Duration delay) {
        timer.schedule(() -> {
            try {
                target.accept(task);
            } catch (RuntimeException e) {
                System.err.println("[herald] delayed task failed: " + e);
            }
        }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
}
