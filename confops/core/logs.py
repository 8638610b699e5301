"""Logs an operator can collect: one JSON object a line (CONFOPS_LOG_FORMAT=json, the default)
with the time, level, logger, message, the request id of the request being served, and the
structured fields a caller passed in `extra` (a job's name and outcome, a request's method,
route and status). Nothing else of the record is written, so a secret or a person's data
reaches the log only if a caller names it, and callers name ids, never e-mails or tokens."""

from __future__ import annotations

import contextvars
import json
import logging
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
