package io.herald.core.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one thread factory for Herald's background work: daemon threads, so neither a Lambda
 * container's JVM, a test's nor the local stack's ever waits on them to exit, named so a thread
 * dump says whose they are.
 */
public final class DaemonThreads {
    private DaemonThreads() {}

    /** Every thread named {@code name}. */
    public static ThreadFactory named(String name) {
        return r -> daemon(r, name);
    }

    /** Threads named {@code prefix-1}, {@code prefix-2}, ...: for pools. */
    public static ThreadFactory numbered(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> daemon(r, prefix + "-" + n.incrementAndGet());
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }
}
