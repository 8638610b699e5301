"""Every change made through piccolo-admin goes to the audit log, like every other staff change.

piccolo-admin writes through its JSON API (`/api/tables/<table>/` to create, `…/<id>/` to edit
or delete, `…/?__ids=1,2` to delete several). The mount passes each such request through here:
the rows are read before and, when the admin answered 2xx, after, and one `staff_change` is
emitted per row (the back office's listener writes the AuditEntry). Secret columns (password
and token hashes) are never copied into the log.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qs

from litestar.types import Message, Receive, Scope, Send

from confops.core.extension import emit

_ROW_PATH = re.compile(r"/api/tables/(?P<table>[A-Za-z0-9_]+)/(?:(?P<row>[^/]+)/?)?$")
_SECRET = re.compile(r"password|token|secret|hash", re.IGNORECASE)
ACTIONS = {"POST": "admin_create", "PUT": "admin_update", "PATCH": "admin_update", "DELETE": "admin_delete"}


def _table(name: str):
    from confops.db import all_tables

    return next((t for t in all_tables() if t._meta.tablename == name), None)


def _shown(row: dict | None) -> dict | None:
    if row is None:
        return None
    return {k: ("(hidden)" if _SECRET.search(k) else v) for k, v in row.items()}


async def _rows(table, ids: list[str]) -> dict[str, dict]:
    pk = table._meta.primary_key
    wanted = []
    for value in ids:
        try:
            wanted.append(int(value))
        except ValueError:
            wanted.append(value)
    if not wanted:
        return {}
    return {str(r[pk._meta.name]): r for r in await table.select().where(pk.is_in(wanted))}


async def audited(app, scope: Scope, receive: Receive, send: Send, actor_id: int) -> None:
    """Run the admin for this request; if it changed rows, log them."""
    method = scope.get("method", "GET")
    match = _ROW_PATH.search(scope.get("path", ""))
    table = _table(match["table"]) if match and method in ACTIONS else None
    if table is None:
        await app(scope, receive, send)
        return
    ids = [match["row"]] if match["row"] else []
    if method == "DELETE" and not ids:
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        ids = [i for value in query.get("__ids", []) for i in value.split(",") if i]
    before = await _rows(table, ids)
    status, body = 0, bytearray()

    async def watch(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body" and method == "POST" and len(body) < 65536:
            body.extend(message.get("body", b""))
        await send(message)

    await app(scope, receive, watch)
    if not 200 <= status < 300:
        return
    if method == "POST":
        ids = _created_ids(bytes(body), table._meta.primary_key._meta.name)
    after = await _rows(table, ids) if method != "DELETE" else {}
    for row_id in ids:
        await emit("staff_change", actor_id=actor_id, action=ACTIONS[method], entity=table._meta.tablename,
                   entity_id=row_id, before=_shown(before.get(row_id)), after=_shown(after.get(row_id)))


def _created_ids(body: bytes, pk: str) -> list[str]:
    try:
        answer: Any = json.loads(body or b"null")
    except ValueError:
        return []
    rows = answer if isinstance(answer, list) else [answer]
    return [str(r[pk]) for r in rows if isinstance(r, dict) and pk in r]
