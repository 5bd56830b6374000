package io.herald.aws.http;

import io.herald.aws.config.Background;
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
    private final Background<SdkHttpClient> client;
    private final String name;

    public DeferredHttpClient(String name, Supplier<SdkHttpClient> build) {
        this.name = name;
        this.client = Background.start("herald-http-init", build::get);
    }

    @Override
    public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
        return client.join().prepareRequest(request);
    }

    /** Answered without waiting: SDK client builders ask for it while the client may still be building. */
    @Override
    public String clientName() {
        return name;
    }

    @Override
    public void close() {
        client.join().close();
    }
}
