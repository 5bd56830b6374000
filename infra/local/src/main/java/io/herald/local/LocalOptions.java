package io.herald.local;

import io.herald.local.gateway.WebSocketGateway;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the local stack: command-line options, each with a matching environment variable.
 *
 * @param port 0 picks a free port (tests)
 */
public record LocalOptions(int port, String stage, String profile, Path dataDir, Path template, String jwtSecret,
        WebSocketGateway.Limits limits, Map<String, String> parameters) {

    public LocalOptions {
        parameters = Map.copyOf(parameters);
    }

    /** The documented development secret; never use it anywhere but a laptop. */
    public static final String DEFAULT_SECRET = io.herald.aws.config.JwtSecrets.DEVELOPMENT_SECRET;

    static final String USAGE = """
            Usage: java -jar infra/local/target/herald-local.jar [options]

            Runs Herald on this machine: API Gateway WebSocket + Management API emulation, the template's
            Lambda handlers in-process, Herald's own DynamoDB engine, EventBridge PutEvents, the HTTP API and a
            console page.

              --port N         HTTP and WebSocket port            (HERALD_PORT, default 8080)
              --stage NAME     WebSocket stage                     (HERALD_STAGE, default ws)
              --profile NAME   default protocol profile: topics, raffle, booking, notify, chat
                                                                   (HERALD_PROFILE, default topics)
              --data-dir DIR   keep DynamoDB data in DIR           (HERALD_DATA_DIR, default in memory)
              --template FILE  SAM template to run                 (HERALD_TEMPLATE, default template.yaml)
              --param K=V      override a template parameter, repeatable (e.g. MaxConnectionsPerIp=0);
                               K=@FILE takes the value from a file (e.g. ChatBlockedWords=@words.txt)
              --help           this text

            The JWT secret is HERALD_JWT_SECRET (default: a documented development secret).
            """;

    public static LocalOptions defaults() {
        return new LocalOptions(8080, "ws", "topics", null, Path.of("template.yaml"), DEFAULT_SECRET,
                WebSocketGateway.Limits.AWS, Map.of());
    }

    /** Environment first, then arguments; throws IllegalArgumentException with a usable message. */
    public static LocalOptions parse(String[] args, Map<String, String> env) {
        LocalOptions o = defaults();
        o = o.with(env.get("HERALD_PORT"), env.get("HERALD_STAGE"), env.get("HERALD_PROFILE"), env.get("HERALD_DATA_DIR"),
                env.get("HERALD_TEMPLATE"), env.get("HERALD_JWT_SECRET"));
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--help") || a.equals("-h")) throw new HelpRequested();
            if (i + 1 >= args.length) throw new IllegalArgumentException("option " + a + " needs a value\n\n" + USAGE);
            String v = args[++i];
            o = switch (a) {
                case "--port" -> o.with(v, null, null, null, null, null);
                case "--stage" -> o.with(null, v, null, null, null, null);
                case "--profile" -> o.with(null, null, v, null, null, null);
                case "--data-dir" -> o.with(null, null, null, v, null, null);
                case "--template" -> o.with(null, null, null, null, v, null);
                case "--param" -> {
                    int eq = v.indexOf('=');
                    if (eq < 1) throw new IllegalArgumentException("--param takes Name=Value, got '" + v + "'");
                    yield o.withParameter(v.substring(0, eq), parameterValue(v.substring(0, eq), v.substring(eq + 1)));
                }
                default -> throw new IllegalArgumentException("unknown option " + a + "\n\n" + USAGE);
            };
        }
        return o;
    }

    /**
     * {@code @path} reads the value from a file (a blocked-words list, a policy), as the template
     * would get it from a parameter; {@code @@text} is the literal {@code @text}.
     */
    static String parameterValue(String name, String v) {
        if (v.startsWith("@@")) return v.substring(1);
        if (!v.startsWith("@")) return v;
        java.nio.file.Path file = java.nio.file.Path.of(v.substring(1));
        try {
            return java.nio.file.Files.readString(file).strip();
        } catch (java.io.IOException | java.io.UncheckedIOException e) {
            throw new IllegalArgumentException("--param " + name + "=" + v + ": cannot read " + file + " (" + e.getClass().getSimpleName() + ")");
        }
    }

    private LocalOptions with(String port, String stage, String profile, String dataDir, String template, String secret) {
        int p = this.port;
        if (port != null) {
            try {
                p = Integer.parseInt(port);
                if (p < 0 || p > 65535) throw new NumberFormatException();
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("port must be a number from 0 to 65535, got '" + port + "'");
            }
        }
        if (stage != null && !stage.matches("[A-Za-z0-9_-]{1,128}")) {
            throw new IllegalArgumentException("stage must be letters, digits, - or _, got '" + stage + "'");
        }
        return new LocalOptions(p, stage == null ? this.stage : stage, profile == null ? this.profile : profile,
                dataDir == null ? this.dataDir : Path.of(dataDir), template == null ? this.template : Path.of(template),
                secret == null || secret.isBlank() ? this.jwtSecret : secret, limits, parameters);
    }

    public LocalOptions withParameter(String name, String value) {
        Map<String, String> p = new java.util.HashMap<>(parameters);
        p.put(name, value);
        return new LocalOptions(port, stage, profile, dataDir, template, jwtSecret, limits, p);
    }

    public LocalOptions withPort(int p) {
        return new LocalOptions(p, stage, profile, dataDir, template, jwtSecret, limits, parameters);
    }

    public LocalOptions withLimits(Duration idle, Duration max) {
        return new LocalOptions(port, stage, profile, dataDir, template, jwtSecret, new WebSocketGateway.Limits(idle, max), parameters);
    }

    public LocalOptions withTemplate(Path t) {
        return new LocalOptions(port, stage, profile, dataDir, t, jwtSecret, limits, parameters);
    }

    public LocalOptions withDataDir(Path d) {
        return new LocalOptions(port, stage, profile, d, template, jwtSecret, limits, parameters);
    }

    public LocalOptions withProfile(String p) {
        return new LocalOptions(port, stage, p, dataDir, template, jwtSecret, limits, parameters);
    }

    /** Thrown for --help. */
    static final class HelpRequested extends RuntimeException {}
}
