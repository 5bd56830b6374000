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

    /** {@code thrown} counts the calls of {@code method}; only the first throws {@code e}. */
    static DynamoDbClient first(DynamoDbClient real, String method, RuntimeException e, AtomicInteger thrown) {
        return (DynamoDbClient) Proxy.newProxyInstance(FailingCalls.class.getClassLoader(), new Class<?>[] {DynamoDbClient.class}, (proxy, m, args) -> {
            if (m.getName().equals(method) && thrown.getAndIncrement() == 0) throw e;
            try {
                return m.invoke(real, args);
            } catch (InvocationTargetException x) {
                throw x.getCause();
            }
        });
    }
}
