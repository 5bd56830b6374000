package io.herald.dynamodb.api;

import static io.herald.dynamodb.api.Nodes.has;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.dynamodb.DynamoDbError;
import io.herald.dynamodb.DynamoDbError.CancellationReason;
import io.herald.dynamodb.model.AttributeJson;
import io.herald.dynamodb.model.AttributeValue;
import io.herald.dynamodb.model.JsonTrees;
import io.herald.dynamodb.storage.Database;
import io.herald.dynamodb.storage.Table;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * PartiQL for DynamoDB (ExecuteStatement, BatchExecuteStatement, ExecuteTransaction), the subset
 * applications use: SELECT with projections and WHERE, INSERT ... VALUE {map}, UPDATE ... SET/REMOVE
 * ... WHERE key, DELETE ... WHERE key, with {@code ?} parameters. Each statement is translated into
 * the equivalent expression request (Scan/Query, PutItem, UpdateItem, DeleteItem, transactions)
 * and runs through the same operations, so validation and semantics are shared.
 */
final class PartiqlOps {
    private final Database db;
    private final ItemOps items;
    private final ReadOps reads;
    private final TransactOps transactions;

    PartiqlOps(Database db, ItemOps items, ReadOps reads, TransactOps transactions) {
        this.db = db;
        this.items = items;
        this.reads = reads;
        this.transactions = transactions;
    }

    ObjectNode executeStatement(JsonNode req) {
        TableOps.requireParameter(req, "Statement");
        Statement s = Statement.parse(req.get("Statement").asText(), parameters(req.get("Parameters")));
        s.bind(db);
        return switch (s.verb) {
            case "SELECT" -> select(s, req);
            case "INSERT" -> {
                try {
                    items.putItem(s.request);
                } catch (DynamoDbError e) {
                    if (e.type().equals("ConditionalCheckFailedException")) throw new DynamoDbError("DuplicateItemException", "Duplicate primary key exists in table");
                    throw e;
                }
                yield Nodes.object().set("Items", Nodes.F.arrayNode());
            }
            case "UPDATE" -> {
                items.updateItem(s.request);
                yield (ObjectNode) Nodes.object().set("Items", Nodes.F.arrayNode());
            }
            default -> {
                items.deleteItem(s.request);
                yield (ObjectNode) Nodes.object().set("Items", Nodes.F.arrayNode());
            }
        };
    }

    /**
     * One page of a SELECT, as DynamoDB answers it: at most {@code Limit} items evaluated or 1 MB
     * read, a {@code NextToken} to go on from (the page's last key, opaque to the client), and the
     * consumed capacity when asked.
     */
    private ObjectNode select(Statement s, JsonNode req) {
        // A lookup by partition key is a Query or a GetItem on AWS: its items come on the first
        // page. Here every SELECT scans with the WHERE as its filter, so such a lookup reads on to
        // the end instead of answering a page that may hold nothing but a NextToken.
        boolean toTheEnd = !has(req, "Limit") && !has(req, "NextToken") && s.equalities.containsKey(s.bound.key.hash());
        ObjectNode scan = s.request.deepCopy();
        if (req.path("ConsistentRead").asBoolean(false)) scan.put("ConsistentRead", true);
        for (String p : List.of("Limit", "ReturnConsumedCapacity")) if (has(req, p)) scan.set(p, req.get(p));
        if (has(req, "NextToken")) scan.set("ExclusiveStartKey", fromToken(req.get("NextToken").asText()));
        ArrayNode items = Nodes.F.arrayNode();
        ObjectNode out = Nodes.object();
        while (true) {
            ObjectNode page = reads.scan(scan);
            for (JsonNode item : page.get("Items")) items.add(s.flatten(item));
            if (page.has("ConsumedCapacity")) addCapacity(out, (ObjectNode) page.get("ConsumedCapacity"));
            JsonNode last = page.get("LastEvaluatedKey");
            if (last == null) break;
            if (!toTheEnd) {
                out.put("NextToken", Base64.getUrlEncoder().withoutPadding().encodeToString(JsonTrees.bytes(last)));
                break;
            }
            scan.set("ExclusiveStartKey", last);
        }
        out.set("Items", items);
        return out;
    }

    /** Adds a page's consumed capacity to the answer's: its units, and the table's when INDEXES asked for them. */
    private static void addCapacity(ObjectNode out, ObjectNode page) {
        ObjectNode total = (ObjectNode) out.get("ConsumedCapacity");
        if (total == null) {
            out.set("ConsumedCapacity", page.deepCopy());
            return;
        }
        total.put("CapacityUnits", total.path("CapacityUnits").asDouble() + page.path("CapacityUnits").asDouble());
        if (page.has("Table")) {
            ObjectNode table = (ObjectNode) total.get("Table");
            table.put("CapacityUnits", table.path("CapacityUnits").asDouble() + page.path("Table").path("CapacityUnits").asDouble());
        }
    }

    private static JsonNode fromToken(String token) {
        try {
            JsonNode key = JsonTrees.read(Base64.getUrlDecoder().decode(token));
            if (key.isObject()) return key;
        } catch (IllegalArgumentException | java.io.IOException e) {
            // falls through to the refusal
        }
        throw DynamoDbError.validation("Invalid NextToken");
    }

    ObjectNode batchExecuteStatement(JsonNode req) {
        JsonNode statements = req.get("Statements");
        Violations v = new Violations();
        v.notNull(statements, "statements");
        v.sizeAtLeast(statements, "statements", 1);
        v.sizeAtMost(statements, "statements", 25, true);
        v.throwIfAny();
        ObjectNode out = Nodes.object();
        ArrayNode responses = out.putArray("Responses");
        for (JsonNode st : statements) {
            ObjectNode r = responses.addObject();
            try {
                ObjectNode one = executeStatement(st);
                JsonNode got = one.get("Items");
                if (got != null && got.size() > 0) r.set("Item", got.get(0));
            } catch (DynamoDbError e) {
                String code = e.type().endsWith("Exception") ? e.type().substring(0, e.type().length() - "Exception".length()) : e.type();
                r.putObject("Error").put("Code", code).put("Message", e.getMessage());
            }
        }
        return out;
    }

    ObjectNode executeTransaction(JsonNode req) {
        JsonNode statements = req.get("TransactStatements");
        Violations v = new Violations();
        v.notNull(statements, "transactStatements");
        v.sizeAtLeast(statements, "transactStatements", 1);
        v.sizeAtMost(statements, "transactStatements", 100, true);
        v.throwIfAny();
        List<Statement> parsed = new ArrayList<>();
        for (JsonNode st : statements) {
            TableOps.requireParameter(st, "Statement");
            Statement s = Statement.parse(st.get("Statement").asText(), parameters(st.get("Parameters")));
            if (!s.verb.equals("SELECT")) s.bind(db);
            parsed.add(s);
        }
        if (parsed.stream().allMatch(s -> s.verb.equals("SELECT"))) {
            ObjectNode get = Nodes.object();
            ArrayNode list = get.putArray("TransactItems");
            for (Statement s : parsed) list.addObject().set("Get", s.keyGet(db));
            ObjectNode res = transactions.transactGetItems(get);
            ObjectNode out = Nodes.object();
            out.set("Responses", res.get("Responses"));
            return out;
        }
        ObjectNode write = Nodes.object();
        ArrayNode list = write.putArray("TransactItems");
        for (Statement s : parsed) {
            String kind = switch (s.verb) {
                case "INSERT" -> "Put";
                case "UPDATE" -> "Update";
                case "DELETE" -> "Delete";
                default -> throw DynamoDbError.validation("Transactions may not mix reads and writes");
            };
            list.addObject().set(kind, s.request);
        }
        if (req.has("ClientRequestToken")) write.set("ClientRequestToken", req.get("ClientRequestToken"));
        try {
            transactions.transactWriteItems(write);
        } catch (DynamoDbError e) {
            if (e.reasons() == null) throw e;
            List<CancellationReason> reasons = new ArrayList<>();
            for (int i = 0; i < e.reasons().size(); i++) {
                CancellationReason r = e.reasons().get(i);
                boolean duplicate = r.code().equals("ConditionalCheckFailed") && parsed.get(i).verb.equals("INSERT");
                reasons.add(duplicate ? new CancellationReason("DuplicateItem", "Duplicate primary key exists in table", null) : r);
            }
            throw TransactOps.cancelled(reasons);
        }
        return Nodes.object();
    }

    private static List<AttributeValue> parameters(JsonNode node) {
        List<AttributeValue> out = new ArrayList<>();
        if (node != null && !node.isNull()) node.forEach(p -> out.add(AttributeJson.value(p)));
        return out;
    }

    /** One statement, translated into the request of the equivalent operation. */
    static final class Statement {
        String verb;
        String table;
        /** The table {@link #bind} found, for what the statement does after. */
        Table bound;
        ObjectNode request = Nodes.object();
        final Map<String, String> names = new LinkedHashMap<>();
        final Map<String, AttributeValue> values = new LinkedHashMap<>();
        /** For SELECT a.b: the last path segment of each projection, which names the returned attribute. */
        final List<String> projected = new ArrayList<>();
        /** WHERE equalities on plain attributes (candidates for the key of UPDATE and DELETE). */
        final Map<String, AttributeValue> equalities = new LinkedHashMap<>();
        private final List<String> tokens;
        private final List<AttributeValue> params;
        private int pos;
        private int paramIndex;

        private Statement(String text, List<AttributeValue> params) {
            this.tokens = tokenize(text);
            this.params = params;
        }

        static Statement parse(String text, List<AttributeValue> params) {
            Statement s = new Statement(text, params);
            try {
                s.statement();
            } catch (IndexOutOfBoundsException e) {
                throw malformed("unexpected end of statement");
            }
            if (s.pos != s.tokens.size()) throw malformed("unexpected token " + s.tokens.get(s.pos));
            return s;
        }

        static DynamoDbError malformed(String why) {
            return DynamoDbError.validation("Statement wasn't well formed, can't be processed: " + why);
        }

        private String peek() {
            return pos < tokens.size() ? tokens.get(pos) : "";
        }

        private String next() {
            return tokens.get(pos++);
        }

        private boolean accept(String keyword) {
            if (peek().equalsIgnoreCase(keyword)) {
                pos++;
                return true;
            }
            return false;
        }

        private void expect(String keyword) {
            if (!accept(keyword)) throw malformed("expected " + keyword + " but found " + (peek().isEmpty() ? "end of statement" : peek()));
        }

        private void statement() {
            String v = next().toUpperCase();
            switch (v) {
                case "SELECT" -> {
                    verb = v;
                    List<String> paths = new ArrayList<>();
                    if (!accept("*")) {
                        do {
                            paths.add(path());
                        } while (accept(","));
                    }
                    expect("FROM");
                    tableName();
                    if (peek().startsWith("\"") || peek().equals(".")) {
                        accept(".");
                        request.put("IndexName", unquote(next()));
                    }
                    if (accept("WHERE")) request.put("FilterExpression", condition());
                    if (!paths.isEmpty()) request.put("ProjectionExpression", String.join(", ", paths));
                }
                case "INSERT" -> {
                    verb = v;
                    expect("INTO");
                    tableName();
                    expect("VALUE");
                    AttributeValue item = literal();
                    if (item.type() != AttributeValue.Type.M) throw malformed("INSERT takes a map of attributes");
                    request.set("Item", Nodes.item(item.m()));
                }
                case "UPDATE" -> {
                    verb = v;
                    tableName();
                    List<String> sets = new ArrayList<>(), removes = new ArrayList<>();
                    while (true) {
                        if (accept("SET")) {
                            do {
                                String p = path();
                                expect("=");
                                sets.add(p + " = " + placeholder(literal()));
                            } while (accept(","));
                        } else if (accept("REMOVE")) {
                            do {
                                removes.add(path());
                            } while (accept(","));
                        } else {
                            break;
                        }
                    }
                    if (sets.isEmpty() && removes.isEmpty()) throw malformed("UPDATE needs SET or REMOVE");
                    String update = (sets.isEmpty() ? "" : "SET " + String.join(", ", sets)) + (removes.isEmpty() ? "" : " REMOVE " + String.join(", ", removes));
                    request.put("UpdateExpression", update.trim());
                    expect("WHERE");
                    request.put("ConditionExpression", condition());
                }
                case "DELETE" -> {
                    verb = v;
                    expect("FROM");
                    tableName();
                    expect("WHERE");
                    request.put("ConditionExpression", condition());
                }
                default -> throw malformed("unexpected keyword " + v);
            }
            if (!names.isEmpty()) {
                ObjectNode n = request.putObject("ExpressionAttributeNames");
                names.forEach(n::put);
            }
            if (!values.isEmpty()) request.set("ExpressionAttributeValues", Nodes.item(values));
        }

        private void tableName() {
            String t = next();
            if (!t.startsWith("\"") && !Character.isLetterOrDigit(t.charAt(0)) && t.charAt(0) != '_') throw malformed("expected a table name");
            table = unquote(t);
            request.put("TableName", table);
        }

        /** Table-dependent parts: INSERT must not overwrite; UPDATE and DELETE need the item's key. */
        void bind(Database db) {
            Table t = bound = db.require(table);
            if (verb.equals("INSERT")) {
                request.put("ConditionExpression", "attribute_not_exists(#insertKey)");
                ((ObjectNode) request.with("ExpressionAttributeNames")).put("#insertKey", t.key.hash());
            } else if (!verb.equals("SELECT")) {
                bindKey(t);
                if (verb.equals("DELETE")) {
                    // deleting an item that is not there succeeds, deleting 0 items; only an item
                    // whose other WHERE terms are false fails (the PartiQL DELETE reference's note)
                    request.put("ConditionExpression", "attribute_not_exists(#deleteKey) OR (" + request.get("ConditionExpression").asText() + ")");
                    ((ObjectNode) request.with("ExpressionAttributeNames")).put("#deleteKey", t.key.hash());
                }
            }
        }

        /** UPDATE and DELETE address one item: its key comes from the WHERE equalities; the rest stays a condition. */
        void bindKey(Table t) {
            Map<String, AttributeValue> key = new LinkedHashMap<>();
            for (String k : t.key.hasRange() ? List.of(t.key.hash(), t.key.range()) : List.of(t.key.hash())) {
                AttributeValue v = equalities.get(k);
                if (v == null) throw DynamoDbError.validation("Where clause does not contain a mandatory equality on all key attributes");
                key.put(k, v);
            }
            request.set("Key", Nodes.item(key));
        }

        /** A SELECT inside ExecuteTransaction: a Get by full key. */
        ObjectNode keyGet(Database db) {
            Table t = db.require(table);
            bindKey(t);
            ObjectNode g = Nodes.object().put("TableName", table);
            g.set("Key", request.get("Key"));
            return g;
        }

        private String path() {
            StringBuilder b = new StringBuilder(name(next()));
            String last = tokens.get(pos - 1);
            while (true) {
                if (accept(".")) {
                    last = next();
                    b.append('.').append(name(last));
                } else if (peek().equals("[")) {
                    pos++;
                    b.append('[').append(next()).append(']');
                    expect("]");
                } else {
                    break;
                }
            }
            projected.add(unquote(last));
            return b.toString();
        }

        private String name(String token) {
            String n = unquote(token);
            String ref = "#p" + names.size();
            for (Map.Entry<String, String> e : names.entrySet()) if (e.getValue().equals(n)) return e.getKey();
            names.put(ref, n);
            return ref;
        }

        private String placeholder(AttributeValue v) {
            String ref = ":p" + values.size();
            values.put(ref, v);
            return ref;
        }

        /** Copies a WHERE clause into expression syntax: names and literals become placeholders. */
        private String condition() {
            StringBuilder out = new StringBuilder();
            int depth = 0;
            while (pos < tokens.size()) {
                String t = peek();
                if (t.equals("(")) depth++;
                if (t.equals(")")) {
                    if (depth == 0) break;
                    depth--;
                }
                if (isLiteralStart(t)) {
                    out.append(placeholder(literal())).append(' ');
                    continue;
                }
                if (t.equals("[")) { // IN [a, b]
                    pos++;
                    List<String> items = new ArrayList<>();
                    while (!peek().equals("]")) {
                        items.add(placeholder(literal()));
                        accept(",");
                    }
                    pos++;
                    out.append("(").append(String.join(", ", items)).append(") ");
                    continue;
                }
                boolean word = Character.isLetter(t.charAt(0)) || t.charAt(0) == '_' || t.startsWith("\"");
                if (word && !t.startsWith("\"") && isOperatorWord(t)) {
                    out.append(t).append(' ');
                    pos++;
                } else if (word && !t.startsWith("\"") && pos + 1 < tokens.size() && tokens.get(pos + 1).equals("(")) {
                    out.append(t).append(' '); // a function name
                    pos++;
                } else if (word) {
                    int start = pos;
                    String p = path();
                    if (pos - start == 1 && peek().equals("=") && pos + 1 < tokens.size() && isLiteralStart(tokens.get(pos + 1))) {
                        pos++;
                        AttributeValue v = literal();
                        equalities.put(unquote(tokens.get(start)), v);
                        out.append(p).append(" = ").append(placeholder(v)).append(' ');
                    } else {
                        out.append(p).append(' ');
                    }
                } else {
                    out.append(t).append(' ');
                    pos++;
                }
            }
            return out.toString().trim();
        }

        private static boolean isOperatorWord(String t) {
            return switch (t.toUpperCase()) {
                case "AND", "OR", "NOT", "BETWEEN", "IN" -> true;
                default -> false;
            };
        }

        private static boolean isLiteralStart(String t) {
            char c = t.charAt(0);
            return c == '\'' || c == '?' || c == '{' || t.equals("<<") || Character.isDigit(c) || c == '-' && t.length() > 1
                    || t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false") || t.equalsIgnoreCase("null");
        }

        /** A PartiQL value: 'string', number, true/false, null, {map}, [list], <<set>>, or ? (a parameter). */
        private AttributeValue literal() {
            String t = next();
            if (t.equals("?")) {
                if (paramIndex >= params.size()) throw DynamoDbError.validation("Number of parameters in request and statement don't match.");
                return params.get(paramIndex++);
            }
            if (t.startsWith("'")) return AttributeValue.s(t.substring(1, t.length() - 1).replace("''", "'"));
            if (t.equalsIgnoreCase("true") || t.equalsIgnoreCase("false")) return AttributeValue.bool(Boolean.parseBoolean(t.toLowerCase()));
            if (t.equalsIgnoreCase("null")) return AttributeValue.NULL;
            if (t.equals("{")) {
                Map<String, AttributeValue> m = new LinkedHashMap<>();
                while (!accept("}")) {
                    String k = next();
                    if (!k.startsWith("'") && !k.startsWith("\"")) throw malformed("map keys are quoted strings");
                    expect(":");
                    m.put(k.substring(1, k.length() - 1), literal());
                    accept(",");
                }
                return AttributeValue.m(m);
            }
            if (t.equals("[")) {
                List<AttributeValue> l = new ArrayList<>();
                while (!accept("]")) {
                    l.add(literal());
                    accept(",");
                }
                return AttributeValue.l(l);
            }
            if (t.equals("<<")) {
                List<AttributeValue> members = new ArrayList<>();
                while (!accept(">>")) {
                    members.add(literal());
                    accept(",");
                }
                if (members.isEmpty()) throw malformed("a set may not be empty");
                AttributeValue.Type type = switch (members.get(0).type()) {
                    case S -> AttributeValue.Type.SS;
                    case N -> AttributeValue.Type.NS;
                    case B -> AttributeValue.Type.BS;
                    default -> throw malformed("sets hold strings, numbers or binaries");
                };
                return AttributeValue.setOf(type, members);
            }
            try {
                return AttributeValue.n(t);
            } catch (NumberFormatException e) {
                throw malformed("unexpected token " + t);
            }
        }

        /** SELECT a.b returns the attribute under its last path segment. */
        JsonNode flatten(JsonNode item) {
            if (!request.has("ProjectionExpression")) return item;
            ObjectNode out = Nodes.object();
            flattenInto(item, out);
            return out;
        }

        private void flattenInto(JsonNode node, ObjectNode out) {
            node.fields().forEachRemaining(e -> {
                if (projected.contains(e.getKey())) out.set(e.getKey(), e.getValue());
                else if (e.getValue().has("M")) flattenInto(e.getValue().get("M"), out);
            });
        }

        private static String unquote(String t) {
            return t.startsWith("\"") ? t.substring(1, t.length() - 1).replace("\"\"", "\"") : t;
        }

        static List<String> tokenize(String s) {
            List<String> out = new ArrayList<>();
            int i = 0;
            while (i < s.length()) {
                char c = s.charAt(i);
                if (Character.isWhitespace(c)) {
                    i++;
                } else if (c == '\'' || c == '"') {
                    int j = i + 1;
                    while (true) {
                        if (j >= s.length()) throw malformed("unterminated quote");
                        if (s.charAt(j) == c) {
                            if (j + 1 < s.length() && s.charAt(j + 1) == c) {
                                j += 2;
                                continue;
                            }
                            break;
                        }
                        j++;
                    }
                    out.add(s.substring(i, j + 1));
                    i = j + 1;
                } else if (s.startsWith("<<", i) || s.startsWith(">>", i) || s.startsWith("<=", i) || s.startsWith(">=", i) || s.startsWith("<>", i) || s.startsWith("!=", i)) {
                    String op = s.substring(i, i + 2);
                    out.add(op.equals("!=") ? "<>" : op);
                    i += 2;
                } else if ("(){}[],:.=<>*?".indexOf(c) >= 0) {
                    out.add(String.valueOf(c));
                    i++;
                } else if (Character.isLetterOrDigit(c) || c == '_' || c == '-' || c == '+') {
                    int j = i + 1;
                    while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_' || s.charAt(j) == '-'
                            || (s.charAt(j) == '.' && Character.isDigit(c)))) j++;
                    out.add(s.substring(i, j));
                    i = j;
                } else {
                    throw malformed("unexpected character " + c);
                }
            }
            return out;
        }
    }
}
