import http.server, json, sys
# Stands in for Secrets Manager GetSecretValue (any request), so the secret read costs a real HTTP round trip.
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get('Content-Length', 0)))
        body = json.dumps({"SecretString": "ab-test-secret-0123456789-abcdefghij"}).encode()
        self.send_response(200); self.send_header('Content-Type', 'application/x-amz-json-1.1')
        self.send_header('Content-Length', str(len(body))); self.end_headers(); self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()
