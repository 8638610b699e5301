"""Logs an operator can collect: one JSON object a line (CONFOPS_LOG_FORMAT=json, the default)
with the time, level, logger, message, the request id of the request being served, and the
structured fields a caller passed in `extra` (a job's name and outcome, a request's method,
route and status). Nothing else of the record is written, so a secret or a person's data
reaches the log only if a caller names it, and callers name ids, never e-mails or tokens."""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import os
import sys
import time

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("confops_request_id", default="")

# The fields a caller may pass in `extra`; anything else on a record stays out of the line.
FIELDS = ("method", "route", "path", "status", "duration_ms", "client", "job", "outcome", "handled", "error",
          "worker", "event")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = record.__dict__.get("request_id") or request_id.get()
        if rid:
            line["request_id"] = rid
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                line[name] = value
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = request_id.get()
        return f"{text} [request {rid}]" if rid else text


def dict_config(fmt: str = "json", level: str = "INFO") -> dict:
    """The logging configuration of every confops process, as a dictConfig: uvicorn and
    granian apply it in each worker they start (`log_config=`), the CLI applies it itself.
    Requests are logged once, by confops (web/observe.py), so the servers' access logs are off."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"confops": {"()": f"confops.core.logs.{'Json' if fmt == 'json' else 'Text'}Formatter"}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "confops", "stream": "ext://sys.stderr"}},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            **{name: {"handlers": [], "propagate": True} for name in ("uvicorn", "uvicorn.error", "granian", "piccolo")},
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
            "granian.access": {"handlers": [], "propagate": False, "level": "CRITICAL"},
            "httpx": {"level": "WARNING"},
        },
    }


def configure_logging(fmt: str = "json", level: str = "INFO") -> None:
    import logging.config

    logging.config.dictConfig(dict_config(fmt, level))
    request_log.configure(fmt, level)


class RequestLog:
    """The one line a request writes, made without the logging module: at the door every
    request writes one, and a LogRecord through a formatter and a flushed stream cost more
    than half of what a scan costs the server.
    Lines are formatted with an f-string (text that may hold anything goes through
    json.dumps) and written together, at most a quarter of a second later, in one write.
    The same fields as JsonFormatter's, so log collectors see one shape."""

    FLUSH_SECONDS = 0.25

    def __init__(self) -> None:
        self.format = "json"
        self.enabled = True
        self.stream = None  # None: sys.stderr at the time of writing
        self._lines: list[str] = []
        self._shapes: dict[tuple, tuple[str, str, str]] = {}
        self._second = -1
        self._stamp = ""

    def configure(self, fmt: str, level: str) -> None:
        self.format = fmt
        self.enabled = logging.getLevelName(level) <= logging.INFO

    def _shape(self, method: str, route: str, status: int) -> tuple[str, str, str]:
        """The parts of a line that only depend on the method, route and status (kept)."""
        quoted = json.dumps(route)
        head = (f'"level": "info", "logger": "confops.request", "msg": {json.dumps(f"{method} {route} {status}")}, ')
        tail = f'"method": "{method}", "route": {quoted}, '
        return head, tail, quoted

    def write(self, rid: str, method: str, route: str, path: str, status: int, seconds: float) -> None:
        if not self.enabled:
            return
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second, self._stamp = second, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        if self.format == "json":
            shape = self._shapes.get((method, route, status))
            if shape is None:
                shape = self._shapes[(method, route, status)] = self._shape(method, route, status)
            line = (f'{{"ts": "{self._stamp}.{int((now - second) * 1000):03d}Z", {shape[0]}"request_id": "{rid}", '
                    f'{shape[1]}"path": {shape[2] if path == route else json.dumps(path)}, "status": {status}, '
                    f'"duration_ms": {seconds * 1000:.2f}}}\n')
        else:
            line = f"{self._stamp} INFO confops.request: {method} {path} {status} {seconds * 1000:.2f} ms [request {rid}]\n"
        if not self._lines:
            try:
                asyncio.get_running_loop().call_later(self.FLUSH_SECONDS, self.flush)
            except RuntimeError:  # no loop: write at once
                self._lines.append(line)
                self.flush()
                return
        self._lines.append(line)

    def flush(self) -> None:
        if self._lines:
            text, self._lines = "".join(self._lines), []
            stream = self.stream or sys.stderr
            try:
                stream.write(text)
                stream.flush()
            except (OSError, ValueError):  # a closed stream at shutdown: nothing to do
                pass


request_log = RequestLog()


class RequestIds:
    """Request ids that need no randomness per request (os.urandom was a tenth of the cost of
    observing one): this process's random prefix and a counter, 16 hex digits. Unique, not
    secret: nothing is granted by knowing one. A forked worker draws a prefix of its own."""

    def __init__(self) -> None:
        self._fresh()
        os.register_at_fork(after_in_child=self._fresh)

    def _fresh(self) -> None:
        self._prefix, self._next = os.urandom(4).hex(), 0

    def new(self) -> str:
        self._next = (self._next + 1) & 0xFFFFFFFF
        return f"{self._prefix}{self._next:08x}"


request_ids = RequestIds()
