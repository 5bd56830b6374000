#!/bin/bash
# Issue 12, item 7: cold start with and without the design card's libraries, from ONE deployment jar,
# interleaved (the two variants alternate first per round), a fresh JVM per run, init + first invocation.
#   notifier: HERALD_MANAGEMENT_CLIENT=http (signed HTTP) vs sdk (ApiGatewayManagementApiClient), per handler;
#             MessageHandler's ping posts a pong, so its first invocation includes the first Management API call
#   events:   the raw JSON stream handler vs its aws-lambda-java-events variant (Typed*)
# Lambda's runtime carries aws-lambda-java-serialization; both variants get it on the class path.
# usage (from the repository root, after `mvn -B -o -q package -DskipTests`): ROUNDS=12 bench/scripts/libraries-ab.sh > out.txt
set -u
ROUNDS=${ROUNDS:-12}
JAR=functions/target/herald-functions.jar
SER=${SERIALIZATION_JAR:-$HOME/.m2/repository/com/amazonaws/aws-lambda-java-serialization/1.4.1/aws-lambda-java-serialization-1.4.1.jar}
T=${TMPDIR:-/tmp}
java -jar infra/local/target/herald-local.jar --port 18111 > $T/herald-libab-stack.log 2>&1 &
STACK=$!
trap 'kill $STACK' EXIT
for i in $(seq 1 60); do grep -q "DynamoDB  http" $T/herald-libab-stack.log && break; sleep 1; done
sleep 5
DDB=$(grep -o "DynamoDB  http://[0-9.:]*" $T/herald-libab-stack.log | awk '{print $2}')
echo '{"type":"bench","topics":["bench.cold"],"data":{"seq":0}}' > $T/herald-libab-publish.json
common=(AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_ENDPOINT_URL_DYNAMODB=$DDB
  HERALD_CONNECTIONS_URL=http://localhost:18111/ws HERALD_CONNECTIONS_TABLE=ConnectionsTable
  HERALD_SUBSCRIPTIONS_TABLE=SubscriptionsTable HERALD_LEDGER_TABLE=LedgerTable
  HERALD_JWT_SECRET=herald-local-development-secret-do-not-deploy HERALD_ALLOW_DEVELOPMENT_SECRET=true)
run() { # label variant class event [env...]
  local label=$1 variant=$2 cls=$3 ev=$4; shift 4
  # CPU seconds (user + system) beside the wall time: on a shared machine they move less with the load
  local out=$(env -i PATH=$PATH "${common[@]}" "$@" /usr/bin/time -f "cpu %U %S" java -XX:+TieredCompilation -XX:TieredStopAtLevel=1 \
    -cp $JAR:$SER io.herald.functions.Invoke io.herald.functions.$cls $ev 2>&1)
  echo "$label $variant $(echo "$out" | grep -o '"totalMs":[0-9]*' | cut -d: -f2) $(echo "$out" | awk '/^cpu /{printf "%.0f", ($2+$3)*1000}') $(echo "$out" | grep -o '"statusCode":[0-9]*\|batchItemFailures\|"matched":[0-9]*' | head -1)"
}
for r in $(seq 1 $ROUNDS); do
  echo "# round $r load $(cut -d' ' -f1 /proc/loadavg)"
  pairs=(
    "notifier:ConnectHandler A ConnectHandler events/connect-token-query.json HERALD_MANAGEMENT_CLIENT=http|B ConnectHandler events/connect-token-query.json HERALD_MANAGEMENT_CLIENT=sdk"
    "notifier:MessageHandler A MessageHandler events/message-topics-ping.json HERALD_MANAGEMENT_CLIENT=http|B MessageHandler events/message-topics-ping.json HERALD_MANAGEMENT_CLIENT=sdk"
    "notifier:PublishHandler A PublishHandler $T/herald-libab-publish.json HERALD_MANAGEMENT_CLIENT=http|B PublishHandler $T/herald-libab-publish.json HERALD_MANAGEMENT_CLIENT=sdk"
    "events:connect A ConnectHandler events/connect-token-query.json|B TypedConnectHandler events/connect-token-query.json"
    "events:sqs-publish A PublishHandler events/publish-sqs-batch.json|B TypedSqsPublishHandler events/publish-sqs-batch.json"
  )
  for p in "${pairs[@]}"; do
    label=${p%% *}; rest=${p#* }
    a=${rest%%|*}; b=${rest#*|}
    if [ $((r % 2)) = 0 ]; then first=$a; second=$b; else first=$b; second=$a; fi
    for v in "$first" "$second"; do
      # the ping answers only a stored connection, and its pong's 410 from the emulator forgets it: store it again
      if [ $label = notifier:MessageHandler ]; then run prep - ConnectHandler events/connect-token-query.json > /dev/null; fi
      run $label $v
    done
  done
done
