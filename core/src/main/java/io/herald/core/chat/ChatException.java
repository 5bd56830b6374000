package io.herald.core.chat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.core.json.Json;

/**
 * A client request the chat refuses: becomes the document's error frame (or an HTTP status).
 *
 * @param code  the document's code: VALIDATION_ERROR, FORBIDDEN, NOT_FOUND, INVALID_MESSAGE_TYPE, ...
 * @param field the request field at fault, or null
 */
public final class ChatException extends RuntimeException {
    public static final String VALIDATION_ERROR = "VALIDATION_ERROR";
    public static final String UNAUTHORIZED = "UNAUTHORIZED";
    public static final String FORBIDDEN = "FORBIDDEN";
    public static final String NOT_FOUND = "NOT_FOUND";
    public static final String INTERNAL_ERROR = "INTERNAL_ERROR";
    public static final String MESSAGE_TOO_LARGE = "MESSAGE_TOO_LARGE";
    public static final String INVALID_MESSAGE_TYPE = "INVALID_MESSAGE_TYPE";
    public static final String CONVERSATION_FULL = "CONVERSATION_FULL";
    public static final String RATE_LIMITED = "RATE_LIMITED";

    private final String code;
    private final String field;
    private final String issue;
    private final ObjectNode details;

    public ChatException(String code, String message, String field, String issue) {
        super(message);
        this.code = code;
        this.field = field;
        this.issue = issue;
        this.details = field == null ? null : Json.object().put("field", field).put("error", issue);
    }

    private ChatException(String code, String message, ObjectNode details) {
        super(message);
        this.code = code;
        this.field = null;
        this.issue = null;
        this.details = details;
    }

    /** {@code RATE_LIMITED} with {@code details: {limit, retry_after_seconds}}. */
    public static ChatException rateLimited(String limit, long retryAfterSeconds) {
        return new ChatException(RATE_LIMITED, "Rate limit reached: " + limit + "; retry after " + retryAfterSeconds + " s",
                Json.object().put("limit", limit).put("retry_after_seconds", retryAfterSeconds));
    }

    public static ChatException field(String field, String issue) {
        return new ChatException(VALIDATION_ERROR, "Invalid " + field + ": " + issue, field, issue);
    }

    public String code() {
        return code;
    }

    public String field() {
        return field;
    }

    public String issue() {
        return issue;
    }

    /** The error frame's {@code details}, or null. */
    public ObjectNode details() {
        return details;
    }
}
