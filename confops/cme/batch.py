"""Issue and render every eligible certificate of an event (the CLI's `confops certificates`):
each claim gets its current certificate, each valid certificate a PDF in the output folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from confops.cme import certificates
from confops.cme.access import event_by_slug
from confops.cme.tables import CmeClaim
from confops.documents.certificates import load_certificate_layout, render_certificate


def verify_url(base_url: str, serial: str) -> str:
    return f"{base_url.rstrip('/')}/verify/{serial}"


async def issue_all(slug: str) -> list[dict]:
    event = await event_by_slug(slug)
    claims = await CmeClaim.select(CmeClaim.attendee).where(CmeClaim.event == event["id"]).order_by(CmeClaim.id)
    return [await certificates.issue_for_claim(c["attendee"]) for c in claims]


def render_all(rows: list[dict], out_dir: Path, base_url: str, on_done: Callable[[dict], None] | None = None) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    layout = load_certificate_layout()
    for row in rows:
        content = certificates.contents(row)
        pdf = render_certificate(content, row["serial"], verify_url(base_url, row["serial"]), layout)
        (out_dir / f"{row['serial']}.pdf").write_bytes(pdf)
        if on_done:
            on_done(row)
    return len(rows)
