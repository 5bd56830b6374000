package io.herald.aws.http;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.function.Supplier;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;

/**
 * An HTTP client built on its own thread. Building the JDK-based client mostly means loading and
 * parsing the trust store (about 200 ms of a cold start); SDK clients can be built around this
 * one meanwhile, since they only use it when the first request goes out.
 */
public final class DeferredHttpClient implements SdkHttpClient {
    private final FutureTask<SdkHttpClient> client;
    private final String name;

    public DeferredHttpClient(String name, Supplier<SdkHttpClient> build) {
        this.name = name;
        this.client = new FutureTask<>(build::get);
        Thread t = new Thread(client, "herald-http-init");
        t.setDaemon(true);
        t.start();
    }

    private SdkHttpClient client() {
        try {
            return client.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while building the HTTP client", e);
        }
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return client().prepareRequest(request);
    }

    /** Answered without waiting: SDK client builders ask for it while the client may still be building. */
    @Override
    public String clientName() {
        return name;
    }

    @Override
    public void close() {
        client().close();
    }
}
