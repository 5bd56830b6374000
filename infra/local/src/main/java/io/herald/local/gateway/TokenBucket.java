package io.herald.local.gateway;

/**
 * API Gateway's throttle for one route: a bucket of {@code burst} tokens refilled at {@code rate}
 * a second; each request takes one or is throttled. A burst of 0 throttles everything, as on AWS.
 */
public final class TokenBucket {
    private final double rate;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    public TokenBucket(double rate, int burst) {
        this.rate = rate;
        this.burst = burst;
        this.tokens = burst;
    }

    public synchronized boolean tryTake() {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) / 1e9 * rate);
        last = now;
        if (tokens < 1) return false;
        tokens -= 1;
        return true;
    }
}
