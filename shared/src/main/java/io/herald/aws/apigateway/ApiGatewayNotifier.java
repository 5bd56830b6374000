package io.herald.aws.apigateway;

import io.herald.core.delivery.ConnectionNotifier;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.exception.SdkServiceException;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.GoneException;
import software.amazon.awssdk.services.apigatewaymanagementapi.model.LimitExceededException;

/**
 * The Management API behind the notifier port. The client must be built with SDK retries off:
 * {@link io.herald.core.delivery.Delivery} retries with its own jittered backoff, and two retry
 * layers would multiply the attempts.
 */
public final class ApiGatewayNotifier implements ConnectionNotifier {
    private final ApiGatewayManagementApiClient client;

    public ApiGatewayNotifier(ApiGatewayManagementApiClient client) {
        this.client = client;
    }

    @Override
    public Outcome post(String connectionId, byte[] payload) {
        try {
            client.postToConnection(b -> b.connectionId(connectionId).data(SdkBytes.fromByteArrayUnsafe(payload)));
            return Outcome.DELIVERED;
        } catch (GoneException e) {
            return Outcome.GONE;
        } catch (LimitExceededException e) {
            return Outcome.RETRYABLE;
        } catch (SdkServiceException e) {
            return e.statusCode() == 429 || e.statusCode() >= 500 ? Outcome.RETRYABLE : Outcome.REJECTED;
        } catch (SdkClientException e) {
            return Outcome.RETRYABLE; // I/O: the request may not have reached API Gateway
        }
    }

    @Override
    public void disconnect(String connectionId) {
        try {
            client.deleteConnection(b -> b.connectionId(connectionId));
        } catch (GoneException e) {
            // already closed: the goal is reached
        }
    }
}
