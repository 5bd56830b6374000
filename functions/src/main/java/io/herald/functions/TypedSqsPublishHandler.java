package io.herald.functions;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.herald.core.service.Services;
import java.util.ArrayList;
import java.util.List;

/**
 * Publications from an SQS batch on aws-lambda-java-events' typed classes: the variant of
 * {@link PublishHandler}'s SQS path measured for issue 12, item 7. A typed handler takes one
 * event type, so EventBridge and direct invocations would need functions of their own.
 */
public final class TypedSqsPublishHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private final PublishHandler publish;

    public TypedSqsPublishHandler() {
        this(Herald.fromEnvironment(Herald.Tokens.UNUSED));
    }

    public TypedSqsPublishHandler(Services herald) {
        this.publish = new PublishHandler(herald);
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        for (SQSEvent.SQSMessage m : event.getRecords() == null ? List.<SQSEvent.SQSMessage>of() : event.getRecords()) {
            String body = m.getBody() == null ? "" : m.getBody();
            if (!publish.publishRecord(m.getMessageId(), body)) failures.add(new SQSBatchResponse.BatchItemFailure(m.getMessageId()));
        }
        return new SQSBatchResponse(failures);
    }
}
