"""A stand-in for GOV.UK Notify's REST API on 127.0.0.1, for tests and the messages benchmark.

It checks the JWT the official client signs each request with (HS256, `iss` = the service id,
`iat` within 30 s), keeps every notification it accepts, answers lookups by reference, and answers
429, 500 or 400 when told to. Run in a thread (`NotifyStandIn().start()`) or as its own process
(`python -m tests.support.notify_standin`), whose notifications are read at GET /_records.
"""

import argparse
import base64
import json
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import jwt

SERVICE_ID = "7f1f3b5a-3c6e-4c9e-9d1b-2a1b3c4d5e6f"
SECRET = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
API_KEY = f"cbl_tests-{SERVICE_ID}-{SECRET}"
EMAIL_TEMPLATE = "1e4b7a40-0000-4000-8000-000000000001"
SMS_TEMPLATE = "1e4b7a40-0000-4000-8000-000000000002"
TEMPLATES = f"email={EMAIL_TEMPLATE},sms={SMS_TEMPLATE}"


@dataclass
class Notification:
    id: str
    kind: str  # email, sms, letter
    reference: str | None
    to: str | None
    template_id: str | None
    personalisation: dict
    content: bytes | None = None  # a precompiled letter's PDF
    created_at: float = field(default_factory=time.time)


class NotifyStandIn:
    def __init__(self, port: int = 0, *, delay: float = 0.0) -> None:
        self.notifications: list[Notification] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, good or bad
        self.refused_tokens = 0
        self.invalid_numbers: set[str] = set()
        self.invalid_emails: set[str] = set()
        self._failures: deque[int] = deque()
        self.delay = delay
        self.lock = threading.Lock()
        self._answer_limit: int | None = None
        self._answers_released = threading.Event()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}"
        self._thread: threading.Thread | None = None

    def fail_next(self, status: int, times: int = 1) -> None:
        """Answer the next `times` sends with this status (429, 500, 503 ...)."""
        with self.lock:
            self._failures.extend([status] * times)

    def stall_answers_after(self, accepted: int) -> None:
        """Accept every later send but hold back its answer until `release_answers`: the
        notification exists at Notify while its sender never hears so (a kill lands then)."""
        with self.lock:
            self._answer_limit = accepted
            self._answers_released.clear()

    def release_answers(self) -> None:
        with self.lock:
            self._answer_limit = None
        self._answers_released.set()

    def start(self) -> "NotifyStandIn":
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._answers_released.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "NotifyStandIn":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def sent(self, kind: str | None = None) -> list[Notification]:
        with self.lock:
            return [n for n in self.notifications if kind is None or n.kind == kind]

    # --- the API ------------------------------------------------------------------------------

    def authorised(self, header: str | None) -> bool:
        if not header or not header.startswith("Bearer "):
            return False
        try:
            claims = jwt.decode(header[7:], SECRET, algorithms=["HS256"], options={"verify_iat": False})
        except jwt.PyJWTError:
            return False
        return claims.get("iss") == SERVICE_ID and abs(time.time() - float(claims.get("iat", 0))) <= 30

    def post(self, kind: str, body: dict) -> tuple[int, dict]:
        with self.lock:
            if self._failures:
                status = self._failures.popleft()
                return status, _error(status, "RateLimitError" if status == 429 else "Exception",
                                      "Exceeded rate limit" if status == 429 else "Internal server error")
        if kind == "sms" and body.get("phone_number") in self.invalid_numbers:
            return 400, _error(400, "ValidationError", "phone_number Not a UK mobile number")
        if kind == "email" and body.get("email_address") in self.invalid_emails:
            return 400, _error(400, "ValidationError", "email_address Not a valid email address")
        if kind == "letter" and not body.get("reference"):
            return 400, _error(400, "ValidationError", "reference is a required property")
        if kind in {"email", "sms"} and not body.get("template_id"):
            return 400, _error(400, "ValidationError", "template_id is a required property")
        if self.delay:
            time.sleep(self.delay)
        notification = Notification(
            id=str(uuid.uuid4()), kind=kind, reference=body.get("reference"),
            to=body.get("email_address") or body.get("phone_number"), template_id=body.get("template_id"),
            personalisation=body.get("personalisation") or {},
            content=base64.b64decode(body["content"]) if kind == "letter" else None)
        with self.lock:
            self.notifications.append(notification)
            stalled = self._answer_limit is not None and len(self.notifications) > self._answer_limit
        if stalled:
            self._answers_released.wait()
        answer = {"id": notification.id, "reference": notification.reference,
                  "uri": f"{self.base_url}/v2/notifications/{notification.id}"}
        if kind == "letter":
            answer["postage"] = body.get("postage", "second")
        else:
            answer["template"] = {"id": notification.template_id, "version": 1, "uri": ""}
            answer["content"] = {"body": notification.personalisation.get("body", "")}
        return 201, answer

    def lookup(self, reference: str | None) -> dict:
        with self.lock:
            found = [n for n in self.notifications if reference is None or n.reference == reference]
        return {"notifications": [{"id": n.id, "reference": n.reference, "type": n.kind, "status": "created"}
                                  for n in found], "links": {}}


def _error(status: int, error: str, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    standin: NotifyStandIn  # set on the subclass _handler makes for each stand-in

    def log_message(self, *args: object) -> None:
        pass

    def setup(self) -> None:
        super().setup()
        # Headers and body leave in two writes: without this, Nagle's algorithm holds the body
        # until the client's delayed ACK (40 ms a request).
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self) -> None:
        parts = urlsplit(self.path)
        if parts.path == "/_records":
            with self.standin.lock:
                rows = [[n.kind, n.reference, n.to] for n in self.standin.notifications]
            return self._answer(200, {"notifications": rows})
        with self.standin.lock:
            self.standin.requests.append(("GET", parts.path))
        if not self.standin.authorised(self.headers.get("Authorization")):
            self.standin.refused_tokens += 1
            return self._answer(403, _error(403, "AuthError", "Invalid token: signature, api token not found"))
        if parts.path == "/v2/notifications":
            return self._answer(200, self.standin.lookup(parse_qs(parts.query).get("reference", [None])[0]))
        return self._answer(404, _error(404, "NoResultFound", "No result found"))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        body = self._read()
        with self.standin.lock:
            self.standin.requests.append(("POST", path))
        if not self.standin.authorised(self.headers.get("Authorization")):
            self.standin.refused_tokens += 1
            return self._answer(403, _error(403, "AuthError", "Invalid token: signature, api token not found"))
        kind = path.removeprefix("/v2/notifications/")
        if kind not in {"email", "sms", "letter"}:
            return self._answer(404, _error(404, "NotFound", "Not found"))
        self._answer(*self.standin.post(kind, body))


def _handler(standin: NotifyStandIn) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"standin": standin})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--delay", type=float, default=0.0, help="seconds each accepted send takes")
    args = parser.parse_args()
    standin = NotifyStandIn(args.port, delay=args.delay)
    print(standin.port, flush=True)
    standin.server.serve_forever()


if __name__ == "__main__":
    main()
