package io.herald.aws.dynamodb;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;

/**
 * A DynamoDB client whose first call of one method throws what real DynamoDB may answer and the
 * engine never does (a transaction conflict, a throttled transaction); every other call goes to
 * the engine through the real client.
 */
final class FailingCalls {
    private FailingCalls() {}

    /** {@code calls} counts the calls of {@code method}; only the first throws {@code e}. */
    static DynamoDbClient first(DynamoDbClient real, String method, RuntimeException e, AtomicInteger calls) {
        return failing(real, method, e, calls, 1);
    }

    /** Every call of {@code method} throws {@code e}; {@code calls} counts them. */
    static DynamoDbClient always(DynamoDbClient real, String method, RuntimeException e, AtomicInteger calls) {
        return failing(real, method, e, calls, Integer.MAX_VALUE);
    }

    private static DynamoDbClient failing(DynamoDbClient real, String method, RuntimeException e, AtomicInteger calls, int failures) {
        return (DynamoDbClient) Proxy.newProxyInstance(FailingCalls.class.getClassLoader(), new Class<?>[] {DynamoDbClient.class}, (proxy, m, args) -> {
            if (m.getName().equals(method) && calls.getAndIncrement() < failures) throw e;
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException x) {
                throw x.getCause();
            }
        });
    }
}
