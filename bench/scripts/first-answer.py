#!/usr/bin/env python3
"""Start to first answer of engine jars, interleaved: python3 bench/scripts/first-answer.py ROUNDS NAME=JAR [NAME=JAR ...]

Each round starts every jar once (`java -jar JAR --port P`; the order alternates by round), sends a
DynamoDB ListTables over a raw socket every 2 ms until one is answered 200, and kills the JVM.
Prints each jar's median, min and max from launch to that answer. A floor for a JVM on this
machine: floor=bench/target/herald-floor.jar (FloorServer, a server that does no work; it starts
about 16 ms later than a class that answers one request and exits, docs/dynamodb-benchmark.md).
"""
import random, socket, statistics, subprocess, sys, time

REQ = (b'POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: DynamoDB_20120810.ListTables\r\n'
       b'Content-Type: application/x-amz-json-1.0\r\nContent-Length: 2\r\n\r\n{}')


def first_answer_ms(jar):
    port = random.randint(30000, 50000)
    t0 = time.time()
    p = subprocess.Popen(['java', '-jar', jar, '--port', str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.time() - t0 < 30:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=5) as s:
                    s.sendall(REQ)
                    if s.recv(100).startswith(b'HTTP/1.1 200'):
                        return (time.time() - t0) * 1000
            except OSError:
                time.sleep(0.002)
        raise SystemExit(jar + ': no answer within 30 s')
    finally:
        p.kill()
        p.wait()


def main():
    if len(sys.argv) < 3 or not sys.argv[1].isdigit() or any('=' not in a for a in sys.argv[2:]):
        raise SystemExit(__doc__.splitlines()[0])
    jars = dict(a.split('=', 1) for a in sys.argv[2:])
    times = {k: [] for k in jars}
    for r in range(int(sys.argv[1])):
        for name in (list(jars) if r % 2 == 0 else list(jars)[::-1]):
            times[name].append(first_answer_ms(jars[name]))
    for name, v in times.items():
        print('%s: median %.0f ms (%.0f-%.0f), %d rounds' % (name, statistics.median(v), min(v), max(v), len(v)))


if __name__ == '__main__':
    main()
