#!/bin/bash
# A/B cold start: main's functions jar vs this branch's, interleaved, fresh JVM per run.
set -u
# usage (from the repository root, after building both jars and infra/local): bench/scripts/coldstart-ab.sh A.jar B.jar
A=$1; B=$2
ROUNDS=${ROUNDS:-8}

java -jar infra/local/target/herald-local.jar --port 18111 > ${TMPDIR:-/tmp}/herald-ab-stack.log 2>&1 &
echo $! > ${TMPDIR:-/tmp}/herald-ab-stack.pid
python3 bench/scripts/sm_stub.py 18112 & echo $! > ${TMPDIR:-/tmp}/herald-ab-stub.pid
for i in $(seq 1 60); do grep -q "DynamoDB  http" ${TMPDIR:-/tmp}/herald-ab-stack.log && break; sleep 1; done
sleep 5
DDB=$(grep -o "DynamoDB  http://[0-9.:]*" ${TMPDIR:-/tmp}/herald-ab-stack.log | awk '{print $2}')
echo "ddb $DDB"
echo '{"type":"bench","topics":["bench.cold"],"data":{"seq":0}}' > ${TMPDIR:-/tmp}/herald-ab-publish.json
common=(AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local AWS_ENDPOINT_URL_DYNAMODB=$DDB
  HERALD_CONNECTIONS_URL=http://localhost:18111/ws HERALD_CONNECTIONS_TABLE=ConnectionsTable
  HERALD_SUBSCRIPTIONS_TABLE=SubscriptionsTable HERALD_LEDGER_TABLE=LedgerTable)
for variant in secretsmanager envsecret; do
  if [ $variant = secretsmanager ]; then jwt=(HERALD_JWT_SECRET_ARN=arn:aws:secretsmanager:us-east-1:000000000000:secret:herald AWS_ENDPOINT_URL_SECRETS_MANAGER=http://127.0.0.1:18112)
  else jwt=(HERALD_JWT_SECRET=herald-local-development-secret-do-not-deploy HERALD_ALLOW_DEVELOPMENT_SECRET=true); fi
  for r in $(seq 1 $ROUNDS); do
    for h in DisconnectHandler:events/disconnect.json LifecycleHandler:events/lifecycle-insert.json PublishHandler:${TMPDIR:-/tmp}/herald-ab-publish.json; do
      cls=${h%%:*}; ev=${h#*:}
      if [ $((r % 2)) = 0 ]; then order="A B"; else order="B A"; fi
      for which in $order; do
        jar=$A; [ $which = B ] && jar=$B
        out=$(env -i PATH=$PATH "${common[@]}" "${jwt[@]}" java -XX:+TieredCompilation -XX:TieredStopAtLevel=1 -cp $jar io.herald.functions.Invoke io.herald.functions.$cls $ev 2>&1 | grep -o '"totalMs":[0-9]*' | cut -d: -f2)
        echo "$variant $cls $which $out"
      done
    done
  done
done
kill $(cat ${TMPDIR:-/tmp}/herald-ab-stack.pid) $(cat ${TMPDIR:-/tmp}/herald-ab-stub.pid)
