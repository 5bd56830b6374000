package io.herald.local.sqs;

/**
 * An SQS error as the JSON protocol carries it: {@code __type} names the modeled exception (the
 * SDK picks its exception class from it), {@code x-amzn-query-error} the legacy query code.
 */
public final class SqsException extends RuntimeException {
    private final String type;
    private final String queryCode;
    private final int status;

    public SqsException(String type, String queryCode, String message) {
        this(400, type, queryCode, message);
    }

    public SqsException(int status, String type, String queryCode, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.queryCode = queryCode;
    }

    static SqsException invalidParameter(String message) {
        return new SqsException("InvalidParameterValueException", "InvalidParameterValue", message);
    }

    static SqsException noQueue() {
        return new SqsException("QueueDoesNotExist", "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.");
    }

    public String type() {
        return type;
    }

    public String queryCode() {
        return queryCode;
    }

    public int status() {
        return status;
    }
}
