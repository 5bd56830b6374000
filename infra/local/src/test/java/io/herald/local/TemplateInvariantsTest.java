package io.herald.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.herald.aws.dynamodb.DynamoDbSchema;
import io.herald.core.json.Json;
import io.herald.local.template.SamTemplate;
import io.herald.local.template.Tables;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;

/** What template.yaml must keep true, whoever edits it. */
class TemplateInvariantsTest {
    final SamTemplate template = load();
    final Map<String, Object> resources = map(template.raw().get("Resources"));

    static SamTemplate load() {
        try {
            return SamTemplate.load(Path.of("template.yaml"), Map.of());
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    Map<String, Object> props(String id) {
        return map(map(resources.get(id)).get("Properties"));
    }

    List<String> ofType(String type) {
        return resources.entrySet().stream().filter(e -> type.equals(map(e.getValue()).get("Type"))).map(Map.Entry::getKey).toList();
    }

    @Test
    void every_route_should_have_an_integration_to_an_alias_and_a_permission() {
        Map<String, String> routes = template.routes();
        assertEquals(Set.of("$connect", "$disconnect", "$default"), routes.keySet());
        Set<String> permitted = new HashSet<>();
        for (String p : ofType("AWS::Lambda::Permission")) {
            Map<String, Object> pp = props(p);
            assertEquals("apigateway.amazonaws.com", pp.get("Principal"));
            String fn = String.valueOf(map(pp.get("FunctionName")).get("Ref"));
            assertTrue(fn.endsWith(".Alias"), "permission " + p + " must name the alias SnapStart publishes: " + fn);
            permitted.add(fn.substring(0, fn.length() - ".Alias".length()));
        }
        for (String i : ofType("AWS::ApiGatewayV2::Integration")) {
            assertTrue(String.valueOf(map(props(i).get("IntegrationUri")).get("Fn::Sub")).contains(".Alias}"),
                    "integration " + i + " must invoke the alias, not $LATEST");
        }
        routes.forEach((key, fn) -> assertTrue(permitted.contains(fn), "no permission lets API Gateway invoke " + fn + " for " + key));
    }

    @Test
    void every_handler_class_should_exist_in_the_deployment_jar() throws Exception {
        Map<String, Object> globals = map(map(template.raw().get("Globals")).get("Function"));
        String codeUri = String.valueOf(globals.get("CodeUri"));
        assertEquals("functions/target/herald-functions.jar", codeUri);
        assertEquals("java21", globals.get("Runtime"));
        assertEquals(List.of("arm64"), globals.get("Architectures"));
        assertEquals("PublishedVersions", map(globals.get("SnapStart")).get("ApplyOn"));
        assertNotNull(globals.get("AutoPublishAlias"));
        Path jar = Path.of(codeUri);
        assertTrue(jar.toFile().isFile(), "build the jar first (mvn package): " + jar);
        try (JarFile j = new JarFile(jar.toFile())) {
            for (SamTemplate.Function f : template.functions()) {
                String entry = f.handlerClass().replace('.', '/') + ".class";
                assertNotNull(j.getEntry(entry), f.logicalId() + ": " + entry + " is not in " + jar);
            }
            for (String heavy : new String[] {"com/amazonaws/services/dynamodbv2/local/", "org/eclipse/jetty/", "io/netty/",
                    "org/apache/http/"}) {
                assertTrue(j.stream().noneMatch(e -> e.getName().startsWith(heavy)), "the Lambda jar must not carry " + heavy);
            }
        }
    }

    @Test
    void tables_should_declare_the_keys_and_indexes_the_code_queries() {
        Map<String, SamTemplate.Table> byName = new java.util.HashMap<>();
        template.tables().forEach(t -> byName.put(t.name(), t));
        Map<String, CreateTableRequest> needed = Map.of(
                "ConnectionsTable", DynamoDbSchema.connectionsTable("ConnectionsTable"),
                "SubscriptionsTable", DynamoDbSchema.subscriptionsTable("SubscriptionsTable"),
                "LedgerTable", DynamoDbSchema.ledgerTable("LedgerTable"),
                "ChatTable", DynamoDbSchema.chatTable("ChatTable"));
        needed.forEach((name, code) -> {
            SamTemplate.Table t = byName.get(name);
            assertNotNull(t, "template lacks table " + name);
            CreateTableRequest declared = Tables.request(t);
            assertEquals(new HashSet<>(code.keySchema()), new HashSet<>(declared.keySchema()), name + " key");
            assertEquals(new HashSet<>(code.attributeDefinitions()), new HashSet<>(declared.attributeDefinitions()), name + " attributes");
            assertEquals(indexes(code), indexes(declared), name + " indexes");
            Map<String, Object> ttl = map(t.properties().get("TimeToLiveSpecification"));
            assertEquals(DynamoDbSchema.TTL, ttl.get("AttributeName"), name + " TTL attribute");
            assertEquals(Boolean.TRUE, ttl.get("Enabled"));
            assertEquals("PAY_PER_REQUEST", t.properties().get("BillingMode"));
            assertEquals(Boolean.TRUE, map(t.properties().get("PointInTimeRecoverySpecification")).get("PointInTimeRecoveryEnabled"));
        });
        assertNotNull(Tables.request(byName.get("ConnectionsTable")).streamSpecification(), "the lifecycle function reads its stream");
        assertNotNull(Tables.request(byName.get("ChatTable")).streamSpecification(), "backends read the chat's stream");
    }

    private static Set<String> indexes(CreateTableRequest r) {
        Set<String> out = new HashSet<>();
        for (GlobalSecondaryIndex g : r.globalSecondaryIndexes()) {
            out.add(g.indexName() + g.keySchema() + g.projection().projectionType());
        }
        return out;
    }

    @Test
    void every_table_variable_should_name_a_declared_table() {
        Set<String> tables = new HashSet<>();
        template.tables().forEach(t -> tables.add(t.name()));
        for (SamTemplate.Function f : template.functions()) {
            for (String v : List.of("HERALD_CONNECTIONS_TABLE", "HERALD_SUBSCRIPTIONS_TABLE", "HERALD_LEDGER_TABLE")) {
                assertTrue(tables.contains(f.environment().get(v)), f.logicalId() + " " + v + " = " + f.environment().get(v));
            }
        }
    }

    @Test
    void permissions_should_be_scoped_to_this_apis_connections_and_these_tables() {
        List<String> violations = new ArrayList<>();
        for (String fn : ofType("AWS::Serverless::Function")) {
            Object policies = props(fn).get("Policies");
            for (Map<String, Object> statement : statements(policies)) {
                String actions = String.valueOf(statement.get("Action"));
                List<Object> res = statement.get("Resource") instanceof List<?> l ? new ArrayList<>(l) : List.of(statement.get("Resource"));
                for (Object r : res) {
                    String text = Json.write(Json.MAPPER.valueToTree(r));
                    if (text.equals("\"*\"")) violations.add(fn + ": " + actions + " on *");
                    if (actions.contains("execute-api:ManageConnections") && !text.contains("${WebSocketApi}/${Stage}/")) {
                        violations.add(fn + ": ManageConnections not scoped to this API's stage: " + text);
                    }
                    if (actions.contains("dynamodb:") && !text.matches(".*(ConnectionsTable|SubscriptionsTable|LedgerTable|ChatTable).*")) {
                        violations.add(fn + ": DynamoDB actions beyond Herald's tables: " + text);
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }

    /** Issue 11, item 18: a grant nothing uses is room for a bug to grow into (ConditionCheckItem was one). */
    @Test
    void dynamodb_actions_granted_should_be_the_ones_the_code_calls() throws Exception {
        Map<String, String> calls = Map.of("GetItem", "\\.getItem\\(", "PutItem", "\\.putItem\\(|\\bt\\.put\\(",
                "UpdateItem", "\\.updateItem\\(|\\bt\\.update\\(", "DeleteItem", "\\.deleteItem\\(|\\bt\\.delete\\(",
                "Query", "\\.query\\(", "Scan", "\\.scan\\(", "BatchWriteItem", "\\.batchWriteItem\\(",
                "BatchGetItem", "\\.batchGetItem\\(", "ConditionCheckItem", "\\.conditionCheck\\(");
        StringBuilder code = new StringBuilder();
        try (var files = java.nio.file.Files.list(Path.of("shared/src/main/java/io/herald/aws/dynamodb"))) {
            for (Path f : files.toList()) code.append(java.nio.file.Files.readString(f));
        }
        Set<String> used = new HashSet<>();
        calls.forEach((action, call) -> {
            if (java.util.regex.Pattern.compile(call).matcher(code).find()) used.add("dynamodb:" + action);
        });
        List<String> unused = new ArrayList<>();
        for (String fn : ofType("AWS::Serverless::Function")) {
            for (Map<String, Object> statement : statements(props(fn).get("Policies"))) {
                Object a = statement.get("Action");
                for (Object action : a instanceof List<?> l ? l : List.of(a)) {
                    if (String.valueOf(action).startsWith("dynamodb:") && !used.contains(String.valueOf(action))) {
                        unused.add(fn + ": " + action);
                    }
                }
            }
        }
        assertEquals(List.of(), unused, "granted but never called (the code calls " + used + ")");
    }

    /** DynamoDbStats.read sums the counter shards in one BatchGetItem: without the grant /stats, /health and get_stats fail on AWS. */
    @Test
    void functions_reading_the_statistics_should_be_allowed_to_batch_read_the_ledger() {
        for (String fn : List.of("HttpApiFunction", "MessageFunction")) {
            boolean granted = statements(props(fn).get("Policies")).stream().anyMatch(st -> {
                Object a = st.get("Action");
                return (a instanceof List<?> l ? l : List.of(a)).contains("dynamodb:BatchGetItem")
                        && Json.write(Json.MAPPER.valueToTree(st.get("Resource"))).contains("LedgerTable");
            });
            assertTrue(granted, fn + " reads the statistics (DynamoDbStats.read: BatchGetItem on LedgerTable)");
        }
    }

    /** Issue 11, item 18: without aws:SourceArn any EventBridge rule, in any account, could fill the DLQ. */
    @Test
    void only_this_stacks_rule_should_send_to_the_dead_letter_queue() {
        for (Map<String, Object> st : statements(props("PublishDeadLetterQueuePolicy").get("PolicyDocument"))) {
            Map<String, Object> condition = map(st.get("Condition"));
            Map<String, Object> arnEquals = map(condition.get("ArnEquals"));
            assertEquals(Map.of("Fn::GetAtt", List.of("PublishFunctionDomainEvents", "Arn")), arnEquals.get("aws:SourceArn"),
                    "the rule SAM generates for PublishFunction's DomainEvents event, and only it: " + st);
        }
        assertTrue(map(map(props("PublishFunction").get("Events")).get("DomainEvents")).get("Type").equals("EventBridgeRule"),
                "the rule whose logical id SAM derives as PublishFunction + DomainEvents");
    }

    @Test
    void query_strings_should_not_be_access_logged() {
        Map<String, Object> stage = props("WebSocketStage");
        String format = String.valueOf(map(stage.get("AccessLogSettings")).get("Format"));
        assertFalse(format.contains("querystring") || format.contains("$input.params") || format.contains("header"),
                "tokens travel in the query and headers; the access log must not record them: " + format);
        assertEquals(Boolean.TRUE, stage.get("AutoDeploy"));
    }

    @Test
    void secrets_should_come_from_parameters_not_the_template() {
        String all = Json.write(Json.MAPPER.valueToTree(template.raw()));
        assertFalse(all.contains("HERALD_JWT_SECRET\""), "no plain secret variable in the template");
        assertFalse(all.contains("HERALD_ALLOW_DEVELOPMENT_SECRET"), "only the local stack allows the published secret");
        for (String p : List.of("Stage", "DefaultProfile", "JwtSecretArn", "JwtSecretParameter", "JwksUrl", "JwtIssuer",
                "JwtAudience", "EventBusName")) {
            assertNotNull(map(template.raw().get("Parameters")).get(p), "parameter " + p);
        }
        for (String o : List.of("WebSocketUrl", "ConnectionsEndpoint", "HttpApiUrl", "EventBusName", "ConnectionsTableName")) {
            assertNotNull(map(template.raw().get("Outputs")).get(o), "output " + o);
        }
    }

    /** Issue 12, item 3: only the functions that verify tokens read the JWT secret, so only they may. */
    @Test
    void only_the_functions_that_verify_tokens_should_be_granted_the_jwt_secret() {
        Map<String, Object> grant = Map.of("Fn::If", List.of("HasSecret", Map.of("Ref", "JwtSecretAccess"), Map.of("Ref", "AWS::NoValue")));
        Set<String> granted = new HashSet<>();
        for (String fn : ofType("AWS::Serverless::Function")) {
            Object policies = props(fn).get("Policies");
            if (policies instanceof List<?> l && l.contains(grant)) granted.add(fn);
            for (Map<String, Object> st : statements(policies)) {
                String actions = String.valueOf(st.get("Action"));
                assertFalse(actions.contains("secretsmanager:") || actions.contains("ssm:"), fn + " is granted the secret inline: " + st);
            }
        }
        assertEquals(Set.of("ConnectFunction", "MessageFunction", "HttpApiFunction"), granted);
        assertEquals("HasSecret", map(resources.get("JwtSecretAccess")).get("Condition"));
        List<String> actions = statements(props("JwtSecretAccess").get("PolicyDocument")).stream()
                .map(st -> String.valueOf(st.get("Action"))).sorted().toList();
        assertEquals(List.of("secretsmanager:GetSecretValue", "ssm:GetParameter"), actions);
    }

    /**
     * Issue 16: the tree fan-out's queue has a dead-letter queue, its worker reports partial batch
     * failures under a concurrency cap from a parameter, and only the functions that hand out or
     * run tasks may touch the queue, with no more than they use.
     */
    @Test
    void the_fan_out_queue_should_have_a_dead_letter_queue_and_a_capped_least_privilege_worker() {
        Map<String, Object> redrive = map(props("FanOutQueue").get("RedrivePolicy"));
        assertEquals(Map.of("Fn::GetAtt", List.of("FanOutDeadLetterQueue", "Arn")), redrive.get("deadLetterTargetArn"));
        Map<String, Object> worker = props("FanOutFunction");
        assertEquals("io.herald.functions.FanOutHandler::handleRequest", worker.get("Handler"));
        Map<String, Object> source = map(map(map(worker.get("Events")).get("Tasks")).get("Properties"));
        assertEquals(Map.of("Fn::GetAtt", List.of("FanOutQueue", "Arn")), source.get("Queue"));
        assertEquals(List.of("ReportBatchItemFailures"), source.get("FunctionResponseTypes"));
        assertEquals(Map.of("Ref", "FanOutMaximumConcurrency"), map(source.get("ScalingConfig")).get("MaximumConcurrency"));

        Map<String, Set<String>> sqsActions = new java.util.TreeMap<>();
        for (String fn : ofType("AWS::Serverless::Function")) {
            for (Map<String, Object> st : statements(props(fn).get("Policies"))) {
                if (!String.valueOf(st.get("Resource")).contains("FanOutQueue")) continue;
                Object a = st.get("Action");
                sqsActions.computeIfAbsent(fn, x -> new java.util.TreeSet<>()).addAll(a instanceof List<?> l
                        ? l.stream().map(String::valueOf).toList() : List.of(String.valueOf(a)));
            }
        }
        // every function that publishes hands large topics to the tree: backends (Publish, HttpApi) and
        // clients' own publish frames (Message); inline, a large topic outlasts the function's timeout
        assertEquals(Map.of("PublishFunction", Set.of("sqs:SendMessage"), "HttpApiFunction", Set.of("sqs:SendMessage"),
                "MessageFunction", Set.of("sqs:SendMessage"),
                "FanOutFunction", Set.of("sqs:SendMessage", "sqs:ChangeMessageVisibility")), sqsActions);
        for (String fn : sqsActions.keySet()) {
            assertEquals(Map.of("Ref", "FanOutQueue"), map(map(props(fn).get("Environment")).get("Variables")).get("HERALD_FANOUT_QUEUE_URL"), fn);
        }
    }

    /** Issue 12, item 6: every setting the core reads can be set at deploy time, through a template parameter. */
    @Test
    void every_core_setting_should_come_from_a_template_parameter() {
        Map<String, Object> globals = map(map(map(map(template.raw().get("Globals")).get("Function")).get("Environment")).get("Variables"));
        Map<String, Object> parameters = map(template.raw().get("Parameters"));
        io.herald.core.config.Settings settings = new io.herald.core.config.Settings(Map.of());
        io.herald.core.service.HeraldConfig.from(settings);
        assertTrue(settings.read().containsAll(Set.of("HERALD_POLICY", "HERALD_ROUTES", "HERALD_FANOUT_CONCURRENCY",
                "HERALD_DEDUP_HOURS", "HERALD_SUBSCRIPTION_LIMIT", "HERALD_MAX_MESSAGE_BYTES", "HERALD_INLINE_FANOUT_LIMIT",
                "HERALD_FANOUT_BATCH_SIZE")), settings.read().toString());
        for (String name : settings.read()) {
            Object ref = map(globals.get(name)).get("Ref");
            assertNotNull(ref, name + " must be set in Globals from a parameter");
            assertNotNull(parameters.get(String.valueOf(ref)), name + " refers to " + ref + ", which is no parameter");
        }
        // and --param reaches the function: the local stack resolves the template with the override
        SamTemplate local = SamTemplate.parse(templateText(), Map.of("AccessPolicy", "[]", "FanoutConcurrency", "5"));
        for (SamTemplate.Function f : local.functions()) {
            assertEquals("[]", f.environment().get("HERALD_POLICY"), f.logicalId());
            assertEquals("5", f.environment().get("HERALD_FANOUT_CONCURRENCY"), f.logicalId());
        }
    }

    /** The resource texts each DynamoDB action of the function is granted on. */
    private Map<String, Set<String>> dynamoGrants(String fn) {
        Map<String, Set<String>> out = new java.util.TreeMap<>();
        for (Map<String, Object> statement : statements(props(fn).get("Policies"))) {
            Object a = statement.get("Action");
            List<Object> res = statement.get("Resource") instanceof List<?> l ? new ArrayList<>(l) : List.of(statement.get("Resource"));
            for (Object action : a instanceof List<?> l ? l : List.of(a)) {
                if (!String.valueOf(action).startsWith("dynamodb:")) continue;
                for (Object r : res) {
                    out.computeIfAbsent(String.valueOf(action), k -> new HashSet<>()).add(Json.write(Json.MAPPER.valueToTree(r)));
                }
            }
        }
        return out;
    }

    /** Whether the function may post to connections (and so meet a 410 and forget one). */
    private boolean posts(String fn) {
        return statements(props(fn).get("Policies")).stream()
                .anyMatch(st -> String.valueOf(st.get("Action")).contains("execute-api:ManageConnections"));
    }

    private static boolean onChatTable(String resource) {
        return resource.contains("ChatTable") && !resource.contains("/index/");
    }

    /**
     * Any function that sends to chat connections can meet a 410; the chat's disconnected hook then
     * lists the user's conversations, a Query on the byMember index (AccessDenied on AWS without it).
     */
    @Test
    void every_function_granted_the_chat_table_should_query_its_member_index() {
        List<String> missing = new ArrayList<>();
        for (String fn : ofType("AWS::Serverless::Function")) {
            Map<String, Set<String>> grants = dynamoGrants(fn);
            boolean chat = grants.values().stream().flatMap(Set::stream).anyMatch(TemplateInvariantsTest::onChatTable);
            boolean index = grants.getOrDefault("dynamodb:Query", Set.of()).stream().anyMatch(r -> r.contains("${ChatTable.Arn}/index/byMember"));
            if (chat && !index) missing.add(fn);
        }
        assertEquals(List.of(), missing);
        assertTrue(dynamoGrants("ChatTasksFunction").getOrDefault("dynamodb:Query", Set.of()).stream()
                .anyMatch(r -> r.contains("${ChatTable.Arn}/index/byMember")));
    }

    /**
     * $disconnect and the connections stream run only the presence hooks: they read the chat table
     * and write nothing there but the user's presence item (UpdateItem).
     */
    @Test
    void the_presence_hooks_should_only_read_the_chat_table_and_update_presence() {
        for (String fn : List.of("DisconnectFunction", "LifecycleFunction")) {
            Set<String> onChat = new java.util.TreeSet<>();
            dynamoGrants(fn).forEach((action, res) -> {
                if (res.stream().anyMatch(TemplateInvariantsTest::onChatTable)) onChat.add(action);
            });
            assertEquals(Set.of("dynamodb:GetItem", "dynamodb:Query", "dynamodb:UpdateItem"), onChat, fn);
        }
    }

    /**
     * Whatever can meet a 410 forgets that connection, and a chat connection's user:offline then
     * updates the presence item and finds the audience (byMember, byUser). The fan-out worker had
     * no chat grant at all: AccessDenied on AWS, user:offline lost.
     */
    @Test
    void every_function_that_can_forget_a_connection_should_update_presence() {
        List<String> missing = new ArrayList<>();
        for (String fn : ofType("AWS::Serverless::Function")) {
            if (!posts(fn) && !fn.equals("DisconnectFunction")) continue;
            Map<String, Set<String>> grants = dynamoGrants(fn);
            for (String action : List.of("dynamodb:GetItem", "dynamodb:UpdateItem")) {
                if (grants.getOrDefault(action, Set.of()).stream().noneMatch(TemplateInvariantsTest::onChatTable)) missing.add(fn + " " + action);
            }
            for (String index : List.of("${ChatTable.Arn}/index/byMember", "${ConnectionsTable.Arn}/index/byUser")) {
                if (grants.getOrDefault("dynamodb:Query", Set.of()).stream().noneMatch(r -> r.contains(index))) missing.add(fn + " Query " + index);
            }
        }
        assertEquals(List.of(), missing);
    }

    /**
     * Forgetting a connection deletes its subscriptions (found through the connection's key list, or
     * the byConnection index for rows that have none) and its own item. Every function that posts
     * can meet a 410 and forget; $disconnect forgets; and $connect forgets the row it just stored
     * when storing the URL's subscriptions fails. The connect function had Put/Get/Update only:
     * AccessDenied on AWS, the row and its quota units left for two hours.
     */
    @Test
    void every_function_that_can_forget_a_connection_should_be_allowed_to_delete_it() {
        List<String> missing = new ArrayList<>();
        for (String fn : ofType("AWS::Serverless::Function")) {
            if (!posts(fn) && !fn.equals("DisconnectFunction") && !fn.equals("ConnectFunction")) continue;
            Map<String, Set<String>> grants = dynamoGrants(fn);
            for (String table : List.of("ConnectionsTable", "SubscriptionsTable")) {
                if (grants.getOrDefault("dynamodb:DeleteItem", Set.of()).stream().noneMatch(r -> r.contains(table) && !r.contains("/index/"))) {
                    missing.add(fn + " DeleteItem " + table);
                }
            }
            if (grants.getOrDefault("dynamodb:Query", Set.of()).stream().noneMatch(r -> r.contains("${SubscriptionsTable.Arn}/index/byConnection"))) {
                missing.add(fn + " Query byConnection");
            }
        }
        assertEquals(List.of(), missing);
    }

    /** A connection that only expires (no $disconnect) reaches the lifecycle function through its TTL removal. */
    @Test
    void the_lifecycle_function_should_receive_inserts_and_ttl_removals_only() {
        Map<String, Object> source = map(map(map(props("LifecycleFunction").get("Events")).get("NewConnections")).get("Properties"));
        List<String> patterns = ((List<?>) map(source.get("FilterCriteria")).get("Filters")).stream()
                .map(f -> String.valueOf(map(f).get("Pattern"))).toList();
        assertEquals(List.of(Json.parse("{\"eventName\": [\"INSERT\"]}"),
                Json.parse("{\"eventName\": [\"REMOVE\"], \"userIdentity\": {\"type\": [\"Service\"], \"principalId\": [\"dynamodb.amazonaws.com\"]}}")),
                patterns.stream().map(Json::parse).toList());
    }

    /**
     * Without a destination Lambda drops a stream batch it gave up on without a trace; without
     * bisection one bad record takes its whole batch with it.
     */
    @Test
    void every_stream_mapping_should_bisect_report_partial_failures_and_leave_a_record_of_what_it_gave_up() {
        List<SamTemplate.StreamSource> sources = template.streamSources();
        assertFalse(sources.isEmpty());
        for (SamTemplate.StreamSource s : sources) {
            assertTrue(s.bisect(), s.function() + ": BisectBatchOnFunctionError");
            assertTrue(s.reportBatchItemFailures(), s.function() + ": FunctionResponseTypes [ReportBatchItemFailures]");
            assertTrue(s.maximumRetryAttempts() >= 0, s.function() + ": a bounded MaximumRetryAttempts (else a bad record blocks its shard for a day)");
            assertNotNull(s.onFailureQueue(), s.function() + ": DestinationConfig.OnFailure");
            assertEquals("AWS::SQS::Queue", map(resources.get(s.onFailureQueue())).get("Type"));
            assertEquals("1209600", String.valueOf(props(s.onFailureQueue()).get("MessageRetentionPeriod")), "kept 14 days");
            boolean granted = statements(props(s.function()).get("Policies")).stream().anyMatch(st -> "sqs:SendMessage".equals(st.get("Action"))
                    && String.valueOf(st.get("Resource")).contains(s.onFailureQueue()));
            assertTrue(granted, s.function() + " may send to " + s.onFailureQueue());
        }
    }

    @Test
    void the_chat_tasks_queue_should_redrive_to_a_dead_letter_queue() {
        Map<String, Object> redrive = map(props("ChatTasksQueue").get("RedrivePolicy"));
        Object target = map(redrive.get("deadLetterTargetArn")).get("Fn::GetAtt");
        assertTrue(target instanceof List<?> l && l.size() == 2 && "Arn".equals(l.get(1)), "deadLetterTargetArn: " + redrive);
        String dlq = String.valueOf(((List<?>) target).get(0));
        assertEquals("AWS::SQS::Queue", map(resources.get(dlq)).get("Type"));
        assertTrue(Integer.parseInt(String.valueOf(redrive.get("maxReceiveCount"))) > 0);
    }

    static String templateText() {
        try {
            return java.nio.file.Files.readString(Path.of("template.yaml"));
        } catch (java.io.IOException e) {
            throw new RuntimeException(e);
        }
    }

    /** Inline statements, including those under !If (both branches). */
    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Object node) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (node instanceof List<?> l) {
            for (Object o : l) out.addAll(statements(o));
        } else if (node instanceof Map<?, ?> m) {
            if (m.containsKey("Effect") && m.containsKey("Action")) {
                out.add((Map<String, Object>) m);
            } else {
                for (Object v : m.values()) out.addAll(statements(v));
            }
        }
        return out;
    }
}
