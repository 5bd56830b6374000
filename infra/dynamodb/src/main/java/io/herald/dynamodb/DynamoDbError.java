package io.herald.dynamodb;

import io.herald.dynamodb.model.AttributeValue;
import java.util.List;
import java.util.Map;

/**
 * An error DynamoDB would answer, in its wire shape: {@code __type} is
 * {@code com.amazonaws.dynamodb.v20120810#<type>}, {@code message} is AWS's wording. Thrown anywhere
 * in the engine; the HTTP layer turns it into a 400 (500 for InternalServerError).
 */
public class DynamoDbError extends RuntimeException {
    private final String type;
    private final int status;
    /** ConditionalCheckFailedException's Item when ReturnValuesOnConditionCheckFailure asks for it. */
    private final Map<String, AttributeValue> item;
    /** TransactionCanceledException's reasons, one per action. */
    private final List<CancellationReason> reasons;

    public DynamoDbError(String type, String message) {
        this(type, message, 400, null, null);
    }

    public DynamoDbError(String type, String message, int status, Map<String, AttributeValue> item, List<CancellationReason> reasons) {
        super(message, null, false, false);
        this.type = type;
        this.status = status;
        this.item = item;
        this.reasons = reasons;
    }

    public static DynamoDbError validation(String message) {
        return new DynamoDbError("ValidationException", message);
    }

    public static DynamoDbError notFound(String message) {
        return new DynamoDbError("ResourceNotFoundException", message);
    }

    public static DynamoDbError inUse(String message) {
        return new DynamoDbError("ResourceInUseException", message);
    }

    public static DynamoDbError conditionFailed(Map<String, AttributeValue> item) {
        return new DynamoDbError("ConditionalCheckFailedException", "The conditional request failed", 400, item, null);
    }

    public String type() {
        return type;
    }

    public int status() {
        return status;
    }

    public Map<String, AttributeValue> item() {
        return item;
    }

    public List<CancellationReason> reasons() {
        return reasons;
    }

    /** One action's outcome in a cancelled transaction: code None for actions that were fine. */
    public record CancellationReason(String code, String message, Map<String, AttributeValue> item) {
        public static final CancellationReason NONE = new CancellationReason("None", null, null);
    }
}
