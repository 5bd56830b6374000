package io.herald.aws.config;

import io.herald.core.concurrent.DaemonThreads;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * One piece of initialization running on its own daemon thread, for cold starts: the caller goes
 * on with other work and {@link #join()}s when it needs the result. A failure surfaces at join,
 * as the exception the task threw.
 */
public final class Background<T> {
    private final FutureTask<T> task;

    private Background(Callable<T> work) {
        this.task = new FutureTask<>(work);
    }

    public static <T> Background<T> start(String threadName, Callable<T> work) {
        Background<T> b = new Background<>(work);
        DaemonThreads.named(threadName).newThread(b.task).start();
        return b;
    }

    public T join() {
        try {
            return task.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while initializing", e);
        }
    }
}
