#!/usr/bin/env bash
# Runs the independent DynamoDB conformance suite (../shared/dynamodb-conformance, MIT, checked
# against real DynamoDB) against Herald's engine and prints the table for docs/dynamodb-conformance.md.
#   infra/dynamodb/conformance/run.sh [SUITE_DIR]
# The suite is copied to a scratch directory (it deletes every table at its endpoint and writes
# node_modules); the engine runs in memory on a free port and is stopped afterwards.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
suite="${1:-$root/../shared/dynamodb-conformance}"
[ -f "$suite/package.json" ] || { echo "conformance: no suite at $suite" >&2; exit 2; }
jar="$root/infra/dynamodb/target/herald-dynamodb.jar"
[ -f "$jar" ] || (cd "$root" && mvn -B -q -DskipTests -pl infra/dynamodb package)
work="${CONFORMANCE_WORK:-/tmp/herald-conformance}"
mkdir -p "$work"
cp -r "$suite/." "$work/"
chmod -R u+w "$work"
[ -d "$work/node_modules/vitest" ] || (cd "$work" && npm install --no-audit --no-fund --silent)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
java -jar "$jar" --port "$port" > "$work/engine.log" 2>&1 &
engine=$!
trap 'kill $engine 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q '^DynamoDB ' "$work/engine.log" && break; sleep 0.1; done
(cd "$work" && DYNAMODB_ENDPOINT="http://127.0.0.1:$port" npx vitest run --reporter=json --outputFile="$work/result.json" > "$work/vitest.log" 2>&1) || true
python3 "$root/infra/dynamodb/conformance/summarize.py" "$work/result.json"
