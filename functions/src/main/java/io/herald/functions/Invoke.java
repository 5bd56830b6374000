package io.herald.functions;

import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Runs one handler once, as Lambda would, from the deployment jar alone:
 * {@code java -cp herald-functions.jar io.herald.functions.Invoke io.herald.functions.PublishHandler event.json}.
 * Endpoints and tables come from the environment, as on Lambda. Prints the response, then one
 * line with the JVM's age at init end and at response (what a cold start costs).
 */
public final class Invoke {
    private Invoke() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: Invoke <handler class> <event.json>");
            System.exit(2);
        }
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        RequestStreamHandler handler = (RequestStreamHandler) Class.forName(args[0]).getConstructor().newInstance();
        long initDone = System.currentTimeMillis();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(Path.of(args[1]))) {
            handler.handleRequest(in, out, null);
        }
        long done = System.currentTimeMillis();
        System.out.println(out.toString(StandardCharsets.UTF_8));
        System.out.println("{\"coldStart\":{\"initMs\":" + (initDone - jvmStart) + ",\"firstInvocationMs\":" + (done - initDone)
                + ",\"totalMs\":" + (done - jvmStart) + "}}");
    }
}
