"""/schema as a plain HTML index of the API (no CDN scripts), beside /schema/openapi.json."""

from __future__ import annotations

import html
from typing import Any

from litestar import Request
from litestar.openapi.plugins import OpenAPIRenderPlugin


class PlainSchemaPage(OpenAPIRenderPlugin):
    def __init__(self) -> None:
        super().__init__(path="/")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        rows = []
        for path, item in sorted(openapi_schema.get("paths", {}).items()):
            for method, op in item.items():
                if method.startswith("x-") or not isinstance(op, dict):
                    continue
                params = ", ".join(p.get("name", "") for p in op.get("parameters", []))
                rows.append(
                    f"<tr><td><code>{html.escape(method.upper())}</code></td><td><code>{html.escape(path)}</code></td>"
                    f"<td>{html.escape(op.get('summary') or '')}<br><small>{html.escape(op.get('description') or '')}</small></td>"
                    f"<td>{html.escape(params)}</td></tr>"
                )
        info = openapi_schema.get("info", {})
        body = (
            "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content='width=device-width'>"
            f"<title>{html.escape(info.get('title', 'API'))}</title><link rel=stylesheet href='/static/confops.css'></head>"
            f"<body><main id=main class=container><h1>{html.escape(info.get('title', 'API'))} {html.escape(info.get('version', ''))}</h1>"
            "<p>Machine-readable: <a href='/schema/openapi.json'>openapi.json</a>. Errors are "
            "<code>application/problem+json</code> with a <code>code</code> and field-level <code>errors</code>.</p>"
            "<table class=table><thead><tr><th>Method</th><th>Path</th><th>What</th><th>Parameters</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></main></body></html>"
        )
        return body.encode()
