package io.herald.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A function that fails every invocation (Unhandled), counting them: what a broken deployment looks like to its triggers. */
public final class ThrowingHandler implements RequestStreamHandler {
    static final AtomicInteger INVOCATIONS = new AtomicInteger();

    public ThrowingHandler(Map<String, String> env) {}

    @Override
    public void handleRequest(InputStream in, OutputStream out, Context context) {
        INVOCATIONS.incrementAndGet();
        throw new IllegalStateException("failing on purpose");
    }
}
