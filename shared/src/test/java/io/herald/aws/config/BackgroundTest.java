package io.herald.aws.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class BackgroundTest {
    @Test
    void join_should_return_what_the_other_thread_computed() {
        Thread caller = Thread.currentThread();
        Background<Thread> b = Background.start("test-init", Thread::currentThread);
        Thread ran = b.join();
        assertNotEquals(caller, ran);
        assertEquals("test-init", ran.getName());
    }

    @Test
    void join_should_rethrow_the_tasks_failure() {
        IllegalStateException boom = new IllegalStateException("no table");
        assertSame(boom, assertThrows(IllegalStateException.class, () -> Background.start("t", () -> {
            throw boom;
        }).join()));
        IllegalStateException wrapped = assertThrows(IllegalStateException.class, () -> Background.start("t", () -> {
            throw new IOException("unreachable");
        }).join());
        assertInstanceOf(IOException.class, wrapped.getCause());
    }
}
