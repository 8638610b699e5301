"""Issue and render every eligible certificate of an event (the CLI's `confops certificates`):
each claim gets its current certificate, each valid certificate a PDF in the output folder."""

from __future__ import annotations

import contextlib
import functools
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from confops.cme import certificates
from confops.cme.access import event_by_slug
from confops.cme.certificate_pdf import render_signed
from confops.cme.tables import CmeClaim
from confops.core.errors import Conflict
from confops.documents.certificates import CertificateLayout, load_certificate_layout
from confops.documents.fonts import register_fonts
from confops.documents.pdf_signing import PdfSigner


def verify_url(base_url: str, serial: str) -> str:
    """The short address printed on the certificate and in its QR (/v/ leads to /verify/): short
    enough to be typed from paper and to fit beside the code whole."""
    return f"{base_url.rstrip('/')}/v/{serial}"


async def issue_all(slug: str) -> list[dict]:
    event = await event_by_slug(slug)
    claims = await CmeClaim.select(CmeClaim.attendee).where(CmeClaim.event == event["id"]).order_by(CmeClaim.id)
    issued = []
    for c in claims:
        try:
            issued.append(await certificates.issue_for_claim(c["attendee"]))
        except Conflict:  # unpaid, revoked, statements missing...: that claim gets no certificate
            continue
    return issued


def render_all(rows: list[dict], out_dir: Path, base_url: str, on_done: Callable[[dict], None] | None = None, *,
               signer: PdfSigner, workers: int | None = None) -> int:
    """Write each row's certificate as SERIAL.pdf, signed by `signer` (cme/certificate_pdf.py);
    `on_done` after each, in the rows' order.

    Rendering is CPU work (reportlab writing the PDF and subsetting its fonts), so a large
    batch is split over one process per core, forked from this one (fonts and layout already
    loaded; bench/certificates.py, figures in bench/README.md). `workers`: how many (default: one per core, one for
    fewer than 200 certificates, where starting processes costs more than it saves)."""
    global _signer
    out_dir.mkdir(parents=True, exist_ok=True)
    layout = load_certificate_layout()
    _signer = signer  # read by the forked workers: a private key cannot be pickled to them
    jobs = [(row["serial"], row["content"]) for row in rows]
    render = functools.partial(_write_one, out_dir=out_dir, base_url=base_url, layout=layout)
    workers = workers or ((os.cpu_count() or 1) if len(rows) >= _PARALLEL_FROM else 1)
    with contextlib.ExitStack() as stack:
        if workers > 1:
            register_fonts()  # once, before the workers are forked
            pool = stack.enter_context(ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")))
            written = pool.map(render, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
        else:
            written = map(render, jobs)
        for row, _ in zip(rows, written, strict=True):
            if on_done:
                on_done(row)
    return len(rows)


_PARALLEL_FROM = 200
_signer: PdfSigner | None = None


def _write_one(job: tuple[str, str], *, out_dir: Path, base_url: str, layout: CertificateLayout) -> None:
    serial, content = job
    pdf = render_signed(certificates.contents({"content": content}), serial, verify_url(base_url, serial), _signer,
                        layout)
    (out_dir / f"{serial}.pdf").write_bytes(pdf)
