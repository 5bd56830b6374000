package io.herald.local.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.lang.reflect.Constructor;
import io.herald.local.metrics.FunctionMetrics;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Semaphore;

/**
 * One function of the template, run in-process: the handler class named by the template, built
 * on first invocation (the cold start) with the function's environment, and fed event JSON
 * bytes exactly as the Lambda Java runtime feeds a RequestStreamHandler.
 */
public final class LocalFunction {
    private final String name;
    private final String handlerClass;
    private final Map<String, String> environment;
    private volatile RequestStreamHandler handler;
    private final FunctionMetrics metrics;
    /** The function's ReservedConcurrentExecutions as permits; null without a limit. */
    private final Semaphore reserved;

    public LocalFunction(String name, String handlerClass, Map<String, String> environment) {
        this(name, handlerClass, environment, new FunctionMetrics(), null);
    }

    /** @param reservedConcurrency the template's ReservedConcurrentExecutions, or null */
    public LocalFunction(String name, String handlerClass, Map<String, String> environment, FunctionMetrics metrics,
            Integer reservedConcurrency) {
        this.name = name;
        this.handlerClass = handlerClass;
        this.environment = Map.copyOf(environment);
        this.metrics = metrics;
        this.reserved = reservedConcurrency == null ? null : new Semaphore(reservedConcurrency);
    }

    public String name() {
        return name;
    }

    public Map<String, String> environment() {
        return environment;
    }

    /**
     * Invokes synchronously; an exception from the handler (or its init) propagates as
     * {@link FunctionError}. Beyond the reserved concurrency the call is refused with
     * {@link Throttled}, as Lambda answers 429, and counted as a throttle, not an invocation.
     */
    public byte[] invoke(byte[] event) {
        if (reserved != null && !reserved.tryAcquire()) {
            metrics.throttled();
            throw new Throttled(name);
        }
        long t0 = System.nanoTime();
        boolean failed = true;
        try {
            RequestStreamHandler h = handler();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            Context ctx = new LocalContext(name, UUID.randomUUID().toString());
            try {
                h.handleRequest(new ByteArrayInputStream(event), out, ctx);
            } catch (Exception | Error e) {
                throw new FunctionError(name, e);
            }
            failed = false;
            return out.toByteArray();
        } finally {
            metrics.invoked(System.nanoTime() - t0, failed);
            if (reserved != null) reserved.release();
        }
    }

    private RequestStreamHandler handler() {
        RequestStreamHandler h = handler;
        if (h == null) {
            synchronized (this) {
                if (handler == null) handler = instantiate();
                h = handler;
            }
        }
        return h;
    }

    private RequestStreamHandler instantiate() {
        try {
            Class<?> c = Class.forName(handlerClass);
            Object o;
            try {
                // the same environment Lambda would put in System.getenv(), handed over explicitly
                Constructor<?> withEnv = c.getConstructor(Map.class);
                o = withEnv.newInstance(environment);
            } catch (NoSuchMethodException e) {
                o = c.getConstructor().newInstance();
            }
            if (!(o instanceof RequestStreamHandler r)) {
                throw new IllegalStateException(handlerClass + " is not a RequestStreamHandler");
            }
            return r;
        } catch (ReflectiveOperationException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new FunctionError(name, new IllegalStateException("init of " + handlerClass + " failed: " + cause, cause));
        }
    }

    /** What Lambda reports as a function error (Unhandled). */
    public static final class FunctionError extends RuntimeException {
        FunctionError(String function, Throwable cause) {
            super(function + ": " + cause, cause);
        }
    }

    /** Lambda's TooManyRequestsException (Rate Exceeded): the reserved concurrency is in use. */
    public static final class Throttled extends RuntimeException {
        Throttled(String function) {
            super(function + ": Rate Exceeded (TooManyRequestsException: reserved concurrency in use)");
        }
    }
}
