"""An HTTP server on $PORT that drains on SIGTERM: it stops accepting, finishes every request
in flight, and exits 0. GET /slow stands for a slow request: it prints "began" when it
arrives, waits until the stop has begun (30 s at most), then works 0.5 s more."""
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

stopping = threading.Event()


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow":
            print("began", flush=True)
            stopping.wait(30)
            time.sleep(0.5)
        body = b"done\n"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


class Server(ThreadingHTTPServer):
    # server_close() joins the threads of the requests in flight.
    daemon_threads = False
    block_on_close = True


server = Server(("0.0.0.0", int(os.environ["PORT"])), Handler)
signal.signal(signal.SIGTERM, lambda *_: stopping.set())
threading.Thread(target=server.serve_forever, daemon=True).start()
print(f"listening on {server.server_address[1]}", flush=True)
while not stopping.wait(0.05):
    pass
server.shutdown()
server.server_close()
print("drained", flush=True)
sys.exit(0)
