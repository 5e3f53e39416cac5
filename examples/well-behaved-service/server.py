"""A well-behaved service: it serves in the foreground on $PORT, logs to stdout, and stops
cleanly on SIGTERM (a deploy, `docker stop`), well within procwarden's stop grace."""
import http.server
import os
import signal
import sys
import threading


class Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b"hello from a well-behaved service\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        print(f"web: {self.address_string()} {format % args}", flush=True)


server = http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "5000"))), Hello)
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
print(f"web: serving on port {server.server_address[1]} as pid {os.getpid()}", flush=True)
server.serve_forever()
print("web: stopped cleanly", flush=True)
sys.exit(0)
