"""A real HTTP receiver on loopback that checks Cairn's signatures with the
verifier printed in the README, as an integrator would copy it."""

import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

README = Path(__file__).resolve().parents[3] / "README.md"


def readme_verifier():
    """`verify_cairn_webhook` from the README's Webhooks section, run as printed."""
    text = README.read_text(encoding="utf-8")
    section = text.split("## Webhooks", 1)[1].split("\n## ", 1)[0]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    namespace: dict = {}
    exec(compile(code, "README.md (Webhooks)", "exec"), namespace)  # noqa: S102
    return namespace["verify_cairn_webhook"]


@dataclass
class Received:
    headers: dict
    body: bytes
    verdict: str

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Answers each POST with the next status of `plan` (then 200), after checking
    the signature with `secret` when one is set (401 when it does not verify)."""

    url: str = ""
    secret: str = ""
    plan: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    seen_ids: set = field(default_factory=set)
    now: float | None = None  # the receiver's clock, when a test sets it

    def handle(self, headers: dict, body: bytes) -> tuple[int, bytes]:
        verdict = "unchecked"
        if self.secret:
            try:
                readme_verifier()(self.secret, headers, body, now=self.now)
                verdict = "verified"
            except ValueError as error:
                verdict = str(error)
        self.received.append(Received(headers, body, verdict))
        if verdict not in ("verified", "unchecked"):
            return 401, verdict.encode()
        status = self.plan.pop(0) if self.plan else 200
        if status == 200:
            # Idempotence as the README asks: a delivery id seen is acknowledged.
            duplicate = headers["cairn-delivery"] in self.seen_ids
            self.seen_ids.add(headers["cairn-delivery"])
            return 200, b"duplicate" if duplicate else b"ok"
        return status, b"receiver unavailable"


def serve(receiver: Receiver, path: str = "/hooks/cairn"):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's name
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status, answer = receiver.handle(headers, body)
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}{path}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server
