"""What localstripe lacks for disputes, emulated test-side: a small HTTP front for localstripe
that answers GET /v1/disputes/{id} from disputes the test created (POST /_test/disputes) and
forwards every other request to localstripe unchanged. The app's Stripe SDK talks to it as to
Stripe, so the webhook handler's re-read of a dispute is a real HTTP round trip."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import httpx

from tests.support.smtp import free_port

FORWARDED = ("Authorization", "Content-Type", "Idempotency-Key", "Stripe-Version")


class DisputeFront:
    def __init__(self, localstripe: str) -> None:
        self.localstripe = localstripe
        self.disputes: dict[str, dict] = {}
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # quiet
                pass

            def _answer(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _forward(self, method: str) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if method == "POST" and self.path == "/_test/disputes":
                    fields = {k: v[0] for k, v in parse_qs(body.decode()).items()}
                    front.disputes[fields["id"]] = {
                        "id": fields["id"], "object": "dispute", "payment_intent": fields["payment_intent"],
                        "amount": int(fields["amount"]), "currency": "usd", "reason": fields.get("reason", "general"),
                        "status": "needs_response", "charge": f"ch_for_{fields['payment_intent']}"}
                    self._answer(200, json.dumps(front.disputes[fields["id"]]).encode())
                    return
                if method == "GET" and self.path.startswith("/v1/disputes/"):
                    dispute = front.disputes.get(self.path.split("/")[3].split("?")[0])
                    if dispute is None:
                        error = {"error": {"type": "invalid_request_error", "message": "No such dispute"}}
                        self._answer(404, json.dumps(error).encode())
                    else:
                        self._answer(200, json.dumps(dispute).encode())
                    return
                headers = {k: self.headers[k] for k in FORWARDED if self.headers.get(k)}
                r = httpx.request(method, front.localstripe + self.path, content=body, headers=headers, timeout=30)
                self._answer(r.status_code, r.content, r.headers.get("content-type", "application/json"))

            def do_GET(self) -> None:
                self._forward("GET")

            def do_POST(self) -> None:
                self._forward("POST")

            def do_DELETE(self) -> None:
                self._forward("DELETE")

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def open_dispute(self, dispute_id: str, intent_id: str, amount: int, reason: str = "fraudulent") -> None:
        """As a card holder's bank would: Stripe now knows the dispute."""
        r = httpx.post(f"{self.url}/_test/disputes",
                       data={"id": dispute_id, "payment_intent": intent_id, "amount": amount, "reason": reason})
        assert r.status_code == 200
