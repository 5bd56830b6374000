package io.herald.local.lambda;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import java.nio.charset.StandardCharsets;

/** The Lambda context of a local invocation. */
final class LocalContext implements Context {
    private final String function;
    private final String requestId;
    private final long deadline = System.currentTimeMillis() + 29_000;

    LocalContext(String function, String requestId) {
        this.function = function;
        this.requestId = requestId;
    }

    public String getAwsRequestId() { return requestId; }
    public String getLogGroupName() { return "/aws/lambda/" + function; }
    public String getLogStreamName() { return "local"; }
    public String getFunctionName() { return function; }
    public String getFunctionVersion() { return "$LATEST"; }
    public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:" + function; }
    public CognitoIdentity getIdentity() { return null; }
    public ClientContext getClientContext() { return null; }
    public int getRemainingTimeInMillis() { return (int) Math.max(0, deadline - System.currentTimeMillis()); }
    public int getMemoryLimitInMB() { return 1024; }

    public LambdaLogger getLogger() {
        return new LambdaLogger() {
            public void log(String message) { System.out.println(message); }
            public void log(byte[] message) { System.out.println(new String(message, StandardCharsets.UTF_8)); }
        };
    }
}
