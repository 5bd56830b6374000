package io.herald.aws.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

class DeferredHttpClientTest {
    static final HttpExecuteRequest REQUEST = HttpExecuteRequest.builder()
            .request(SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(java.net.URI.create("http://127.0.0.1:1/")).build())
            .build();

    /** A client that records use and prepares nothing real. */
    static SdkHttpClient recording(AtomicBoolean used) {
        return new SdkHttpClient() {
            @Override
            public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
                used.set(true);
                return null;
            }

            @Override
            public void close() { }
        };
    }

    @Test
    void the_name_should_not_wait_for_the_build_but_requests_should() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean used = new AtomicBoolean();
        DeferredHttpClient http = new DeferredHttpClient("UrlConnection", () -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return recording(used);
        });
        assertEquals("UrlConnection", http.clientName(), "SDK builders ask while the client is still building");
        CompletableFuture<Void> request = CompletableFuture.runAsync(() -> http.prepareRequest(REQUEST));
        Thread.sleep(100);
        assertFalse(request.isDone(), "a request waits for the client");
        release.countDown();
        request.get(5, TimeUnit.SECONDS);
        assertTrue(used.get());
    }

    @Test
    void a_failed_build_should_surface_on_use() {
        DeferredHttpClient http = new DeferredHttpClient("x", () -> {
            throw new IllegalStateException("no trust store");
        });
        assertEquals("no trust store", assertThrows(IllegalStateException.class, () -> http.prepareRequest(REQUEST)).getMessage());
    }
}
