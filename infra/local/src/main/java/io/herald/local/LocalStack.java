package io.herald.local;

import com.auth0.jwt.JWT;
import com.auth0.jwt.algorithms.Algorithm;
import io.herald.aws.config.JwtSecrets;
import io.herald.dynamodb.DynamoDbEngine;
import io.herald.local.events.EventBridgeIntake;
import io.herald.local.events.EventPattern;
import io.herald.local.events.StreamCheckpoints;
import io.herald.local.events.StreamPoller;
import io.herald.local.gateway.HttpApiRoutes;
import io.herald.local.gateway.HttpIo;
import io.herald.local.gateway.LocalAccess;
import io.herald.local.gateway.WebSocketGateway;
import io.herald.local.lambda.LocalFunction;
import io.herald.local.metrics.LocalMetrics;
import io.herald.local.sqs.SqsEndpoint;
import io.herald.local.sqs.SqsEventSource;
import io.herald.local.sqs.SqsQueue;
import io.herald.local.sqs.SqsQueues;
import io.herald.local.template.FunctionConcurrency;
import io.herald.local.template.SamTemplate;
import io.herald.local.template.SqsResources;
import io.herald.local.template.WebSocketApis;
import io.herald.local.template.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.streams.DynamoDbStreamsClient;

/**
 * Herald on one machine, wired from template.yaml: Herald's own DynamoDB engine (infra/dynamodb,
 * embedded) with the template's tables, the template's functions run in-process with their
 * environment (plus local endpoints), and one HTTP port serving the WebSocket API, the Management
 * API, EventBridge PutEvents, the HTTP API and the console page.
 */
public final class LocalStack implements AutoCloseable {
    public static final String DEMO_USER = "demo-user";

    private final LocalOptions options;
    private DynamoDbEngine dynamo;
    private DynamoDbClient ddb;
    private DynamoDbStreamsClient streams;
    private Server server;
    private ServerConnector connector;
    private WebSocketGateway gateway;
    private LocalWebSocketApis webSockets;
    private List<WebSocketApis.Api> declaredApis = List.of();
    private EventBridgeIntake eventBridge;
    private HttpApiRoutes httpApi;
    private final List<StreamPoller> pollers = new ArrayList<>();
    private SqsQueues sqs;
    private final Map<String, String> queueUrls = new LinkedHashMap<>();
    private final List<SqsEventSource> sqsSources = new ArrayList<>();
    /** Made at start; see {@link #demoToken()}. */
    private volatile String demoToken;
    private int port;
    private String dynamoEndpoint;
    /** What CloudWatch would show; GET /local/metrics. */
    private final LocalMetrics metrics = new LocalMetrics();
    private DeliveryWarmUp warmUp;

    /** Errors the stream pollers recovered from (tests expect none). */
    public int streamErrors() {
        return pollers.stream().mapToInt(StreamPoller::errors).sum();
    }

    public LocalStack(LocalOptions options) {
        this.options = options;
    }

    public LocalStack start() throws Exception {
        try {
            return startAll();
        } catch (Exception | Error e) {
            close(); // a refused template or a taken port leaves no engine, thread or bound port behind
            throw e;
        }
    }

    private LocalStack startAll() throws Exception {
        io.herald.aws.config.AwsClients.jdkHttpDefaults(); // before this JVM's first HTTP connection, as in a function's init
        Map<String, String> parameters = new HashMap<>(options.parameters());
        parameters.put("Stage", options.stage());
        parameters.put("DefaultProfile", options.profile());
        SamTemplate template = SamTemplate.load(options.template(), parameters);
        // bound now, before anything names the port (queue URLs, functions' endpoints): a port picked
        // free and bound later could be taken in between by any other bind to port 0
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("herald-http");
        threads.setDaemon(true);
        server = new Server(threads);
        HttpConfiguration httpConfig = new HttpConfiguration();
        // Jetty refuses %2F in paths by default; API Gateway accepts any encoded connection id
        httpConfig.setUriCompliance(UriCompliance.DEFAULT.with("herald", UriCompliance.Violation.AMBIGUOUS_PATH_SEPARATOR));
        connector = new ServerConnector(server, new HttpConnectionFactory(httpConfig));
        connector.setHost("127.0.0.1");
        connector.setPort(options.port());
        try {
            connector.open();
        } catch (IOException e) {
            String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
            throw new IOException("cannot listen on 127.0.0.1:" + options.port() + " (" + why + "); --port 0 takes any free port", e);
        }
        port = connector.getLocalPort();
        server.addConnector(connector);
        template.queueEndpoint(httpUrl());
        // read (and refuse) everything SQS before anything starts
        List<SqsResources.Queue> queueDefinitions = SqsResources.queues(template);
        List<SqsResources.Mapping> sqsMappings = SqsResources.mappings(template);
        sqs = new SqsQueues(httpUrl(), Clock.systemUTC());
        sqs.create(SqsResources.byName(queueDefinitions));
        queueDefinitions.forEach(q -> queueUrls.put(q.logicalId(), sqs.url(q.name())));
        SqsEndpoint sqsEndpoint = new SqsEndpoint(sqs);
        Map<String, Integer> reserved = FunctionConcurrency.reserved(template);
        declaredApis = WebSocketApis.of(template);
        startDynamo();
        Tables.create(ddb, template.tables());
        template.tables().forEach(t -> metrics.table(t.name()));
        queueDefinitions.forEach(q -> metrics.queue(q.logicalId(), () -> sqs.byName(q.name()).orElseThrow().counters()));

        Map<String, LocalFunction> functions = new LinkedHashMap<>();
        for (SamTemplate.Function f : template.functions()) {
            functions.put(f.logicalId(), new LocalFunction(f.logicalId(), f.handlerClass(), environment(f),
                    metrics.function(f.logicalId()), reserved.get(f.logicalId())));
        }

        webSockets = new LocalWebSocketApis(template, declaredApis, options, id -> required(functions, id), metrics);
        gateway = webSockets.defaultGateway();

        List<EventBridgeIntake.Rule> rules = new ArrayList<>();
        template.eventBridgeRules().forEach(r -> rules.add(
                new EventBridgeIntake.Rule(r.eventBus(), EventPattern.of(r.pattern()), required(functions, r.function()))));
        eventBridge = new EventBridgeIntake(rules);

        Map<String, LocalFunction> http = new LinkedHashMap<>();
        template.httpRoutes().forEach(r -> http.put(r.method() + " " + r.path(), required(functions, r.function())));
        HttpApiRoutes httpApi = new HttpApiRoutes(http);
        this.httpApi = httpApi;

        String demoToken = token(DEMO_USER);
        this.demoToken = demoToken;
        String consolePage = consolePage(demoToken);
        Handler.Abstract routes = new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                boolean local = LocalAccess.hostIsLocal(request);
                var management = webSockets.management(request);
                boolean localOnly = management.isPresent() || eventBridge.handles(request) || sqsEndpoint.handles(request);
                if (localOnly && !local) return LocalAccess.refuse(response, callback);
                if (management.isPresent()) return management.get().handle(request, response, callback);
                if (eventBridge.handles(request)) return eventBridge.handle(request, response, callback);
                if (sqsEndpoint.handles(request)) return sqsEndpoint.handle(request, response, callback);
                if (httpApi.handles(request)) return httpApi.handle(request, response, callback);
                if (DeliveryWarmUp.handles(request)) return DeliveryWarmUp.answer(request, response, callback);
                String path = request.getHttpURI().getPath();
                if ("GET".equals(request.getMethod()) && path.equals("/local/metrics")) {
                    return HttpIo.json(response, callback, 200, metrics.json());
                }
                if ("GET".equals(request.getMethod()) && (path.equals("/") || path.equals("/index.html"))) {
                    // a page reached under another name (DNS rebinding) gets no token
                    String page = local ? consolePage : consolePage.replace(demoToken, "");
                    return HttpIo.respond(response, callback, 200, "text/html; charset=utf-8", Map.of(),
                            page.getBytes(StandardCharsets.UTF_8));
                }
                return HttpIo.notFound(request, response, callback);
            }
        };
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, webSockets::configure);
        ws.setHandler(routes);
        server.setHandler(ws);
        server.start();

        StreamCheckpoints checkpoints = options.dataDir() == null ? StreamCheckpoints.inMemory() : StreamCheckpoints.open(options.dataDir());
        for (SamTemplate.StreamSource s : template.streamSources()) {
            String table = template.tables().stream().filter(t -> t.name().equals(s.table())).findFirst()
                    .map(SamTemplate.Table::name).orElseThrow(() -> new IllegalStateException("stream of unknown table " + s.table()));
            List<EventPattern> filters = s.filterPatterns().stream().map(EventPattern::parse).toList();
            java.util.function.Consumer<String> onFailure = null;
            if (s.onFailureQueue() != null) {
                SqsQueue destination = sqs.byName(template.queueName(s.onFailureQueue())).orElseThrow();
                onFailure = record -> destination.send(record, null, Map.of());
            }
            StreamPoller p = new StreamPoller(ddb, streams, table, filters, required(functions, s.function()),
                    new StreamPoller.Mapping(s.batchSize(), s.maximumRetryAttempts(), s.fromLatest(), s.bisect(),
                            s.reportBatchItemFailures(), onFailure), checkpoints);
            p.start();
            pollers.add(p);
        }
        for (SqsResources.Mapping m : sqsMappings) {
            if (!m.enabled()) continue;
            SqsEventSource source = new SqsEventSource(sqs.byName(template.queueName(m.queueLogicalId())).orElseThrow(
                    () -> new IllegalStateException(m.function() + "'s SQS event names " + m.queueLogicalId()
                            + ", which is not a queue of this template")), required(functions, m.function()), m.settings());
            source.start();
            sqsSources.add(source);
        }
        return this;
    }

    /**
     * The engine on a free loopback port, in memory or journalled to --data-dir.
     *
     * @throws java.io.UncheckedIOException when the data directory cannot be used (one DynamoDB
     *     Local left when earlier releases embedded it, a corrupt journal), with the engine's message
     */
    private void startDynamo() {
        dynamo = DynamoDbEngine.builder().dataDir(options.dataDir()).capacityListener(metrics).start();
        dynamoEndpoint = dynamo.endpoint().toString();
        var creds = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        ddb = DynamoDbClient.builder().endpointOverride(dynamo.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
        streams = DynamoDbStreamsClient.builder().endpointOverride(dynamo.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(creds).httpClient(UrlConnectionHttpClient.create()).build();
    }

    /**
     * The template's environment plus what Lambda and the endpoints supply: region, credentials,
     * endpoint overrides. Nothing else differs from AWS.
     */
    private Map<String, String> environment(SamTemplate.Function f) {
        Map<String, String> env = new HashMap<>(f.environment());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", "local");
        env.put("AWS_SECRET_ACCESS_KEY", "local");
        env.put("AWS_LAMBDA_FUNCTION_NAME", f.logicalId());
        env.put("AWS_ENDPOINT_URL_DYNAMODB", dynamoEndpoint);
        env.put("AWS_ENDPOINT_URL_SQS", httpUrl());
        env.put("HERALD_CONNECTIONS_URL", connectionsUrl(f.environment().get("HERALD_CONNECTIONS_URL")));
        env.put("HERALD_JWT_SECRET", options.jwtSecret());
        env.put(JwtSecrets.ALLOW_DEVELOPMENT_SECRET, "true"); // this is the local stack: the documented secret may be used
        // the local secret is the one source; a --param JwtSecretArn=... would be refused as a second one
        return env;
    }

    /**
     * The local Management API a function's HERALD_CONNECTIONS_URL means: the API its template value
     * names ({@code https://${OtherApi}.execute-api...}, resolved to the logical id), else the default.
     */
    private String connectionsUrl(String templateValue) {
        if (templateValue != null) {
            for (WebSocketApis.Api a : declaredApis.subList(Math.min(1, declaredApis.size()), declaredApis.size())) {
                if (templateValue.startsWith("https://" + a.logicalId() + ".")) {
                    return "http://localhost:" + port + "/" + a.logicalId() + "/" + LocalWebSocketApis.stage(a, options);
                }
            }
        }
        return managementEndpoint();
    }

    /** An API's own path, {@code ws://localhost:PORT/{ApiLogicalId}/{stage}} (scheme "ws" or "http"). */
    public String webSocketApiEndpoint(String apiLogicalId, String scheme) {
        LocalWebSocketApis.Served a = webSockets.api(apiLogicalId)
                .orElseThrow(() -> new IllegalArgumentException("no WebSocket API " + apiLogicalId));
        return scheme + "://localhost:" + port + "/" + a.logicalId() + "/" + a.stage();
    }

    /** Each WebSocket API of the template, logical id to its own URL (the banner's lines). */
    public Map<String, String> webSocketApiUrls() {
        Map<String, String> out = new LinkedHashMap<>();
        declaredApis.forEach(a -> out.put(a.logicalId(), webSocketApiEndpoint(a.logicalId(), "ws")));
        return out;
    }

    /** The gateway of one WebSocket API of the template. */
    public WebSocketGateway gateway(String apiLogicalId) {
        return webSockets.api(apiLogicalId).map(LocalWebSocketApis.Served::gateway)
                .orElseThrow(() -> new IllegalArgumentException("no WebSocket API " + apiLogicalId));
    }

    private static LocalFunction required(Map<String, LocalFunction> functions, String id) {
        LocalFunction f = functions.get(id);
        if (f == null) throw new IllegalStateException("template refers to function " + id + ", which it does not declare");
        return f;
    }

    private String consolePage(String token) throws IOException {
        try (InputStream in = LocalStack.class.getResourceAsStream("/console.html")) {
            if (in == null) throw new IllegalStateException("console.html missing from the jar");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8)
                    .replace("{{WS_URL}}", webSocketUrl()).replace("{{TOKEN}}", token).replace("{{DEMO_USER}}", DEMO_USER);
        }
    }

    public int port() {
        return port;
    }

    public String webSocketUrl() {
        return "ws://localhost:" + port + "/" + options.stage();
    }

    public String managementEndpoint() {
        return "http://localhost:" + port + "/" + options.stage();
    }

    public String httpUrl() {
        return "http://localhost:" + port;
    }

    public String dynamoEndpoint() {
        return dynamoEndpoint;
    }

    /** The template's queues: logical id to queue URL (the banner's SQS lines). */
    public Map<String, String> queueUrls() {
        return java.util.Collections.unmodifiableMap(queueUrls);
    }

    /** Failures PostToConnection answers instead of delivering (tests and benchmarks inject throttling and errors). */
    public void managementFaults(io.herald.local.gateway.ManagementApi.Faults faults) {
        webSockets.faults(faults);
    }

    public SqsQueues queues() {
        return sqs;
    }

    /** Failed invocations of SQS event sources (their batches went back to the queue). */
    public int sqsErrors() {
        return sqsSources.stream().mapToInt(SqsEventSource::errors).sum();
    }

    public DynamoDbClient dynamo() {
        return ddb;
    }

    /** What GET /local/metrics serves. */
    public LocalMetrics metrics() {
        return metrics;
    }

    public WebSocketGateway gateway() {
        return gateway;
    }

    /** A 24-hour token for the demo user, allowed to publish too. */
    /**
     * The demo user's token the console page and the banner hand out: made once at start (a token
     * made later differs in its expiry second, and the page would not hold it).
     */
    public String demoToken() {
        String t = demoToken;
        return t != null ? t : token(DEMO_USER);
    }

    public String token(String userId) {
        return JWT.create().withSubject(userId).withClaim("email", userId + "@example.com")
                .withClaim("scope", "herald:publish").withExpiresAt(Instant.now().plus(Duration.ofHours(24)))
                .sign(Algorithm.HMAC256(options.jwtSecret()));
    }

    /**
     * Starts {@link DeliveryWarmUp} on a background thread, with the credentials the functions get.
     * The jar's Main does so after its banner; tests do not, so that their stacks stay quiet.
     */
    public void warmUpDelivery() {
        var clients = new io.herald.aws.config.AwsClients(
                Map.of("AWS_REGION", "us-east-1", "AWS_ACCESS_KEY_ID", "local", "AWS_SECRET_ACCESS_KEY", "local"));
        warmUp = DeliveryWarmUp.start(clients.signedHttp(), httpUrl(), DeliveryWarmUp.POSTS);
    }

    /** The warm-up {@link #warmUpDelivery()} started, if any. */
    Optional<DeliveryWarmUp> warmUp() {
        return Optional.ofNullable(warmUp);
    }

    /** Closes every socket with 1001, stops the servers, then the engine (which closes its journal). */
    @Override
    public void close() {
        if (warmUp != null) warmUp.stop();
        if (webSockets != null) webSockets.shutdown();
        pollers.forEach(StreamPoller::stop);
        sqsSources.forEach(SqsEventSource::stop);
        if (sqs != null) sqs.wakeAll();
        try {
            if (server != null) server.stop();
        } catch (Exception e) {
            System.err.println("[herald-local] stopping HTTP: " + e);
        }
        if (connector != null) connector.close(); // bound before start: a server that never started does not close it
        if (eventBridge != null) eventBridge.shutdown();
        if (httpApi != null) httpApi.shutdown();
        if (streams != null) streams.close();
        if (ddb != null) ddb.close();
        try {
            if (dynamo != null) dynamo.close();
        } catch (RuntimeException e) {
            System.err.println("[herald-local] stopping DynamoDB: " + e);
        }
    }
}
