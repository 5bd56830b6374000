package io.herald.aws.apigateway;

import io.herald.core.delivery.ConnectionNotifier;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.apigatewaymanagementapi.ApiGatewayManagementApiClient;

/**
 * The notifier port on the SDK's {@link ApiGatewayManagementApiClient}, the design card's choice,
 * kept beside {@link ApiGatewayNotifier} so the two can be measured from one jar
 * ({@code HERALD_MANAGEMENT_CLIENT=sdk}). Same outcomes: the client must be built without retries
 * ({@link io.herald.aws.config.AwsClients#managementApi}), since
 * {@link io.herald.core.delivery.Delivery} retries with its own jittered backoff.
 */
public final class SdkManagementNotifier implements ConnectionNotifier {
    private final ApiGatewayManagementApiClient client;

    public SdkManagementNotifier(ApiGatewayManagementApiClient client) {
        this.client = client;
    }

    @Override
    public Outcome post(String connectionId, byte[] payload) {
        try {
            client.postToConnection(r -> r.connectionId(connectionId).data(SdkBytes.fromByteArrayUnsafe(payload)));
            return Outcome.DELIVERED;
        } catch (AwsServiceException e) {
            return ApiGatewayNotifier.outcome(e.statusCode());
        } catch (SdkClientException e) {
            return Outcome.RETRYABLE; // no answer: the post may not have reached API Gateway
        }
    }

    @Override
    public Outcome disconnect(String connectionId) {
        try {
            client.deleteConnection(r -> r.connectionId(connectionId));
            return Outcome.DELIVERED;
        } catch (AwsServiceException e) {
            return ApiGatewayNotifier.outcome(e.statusCode()); // 410: already closed, so the goal is reached
        } catch (SdkClientException e) {
            return Outcome.RETRYABLE;
        }
    }
}
