"""How long the demo national meeting's printable program (PDF, with disclosures) and a
personal-agenda iCalendar feed of every session take to build, on a fresh SQLite demo.

    .venv/bin/python bench/program_outputs.py [rounds]
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from confops.db import make_engine, migrate  # noqa: E402


async def main(rounds: int) -> None:
    folder = tempfile.mkdtemp()
    engine = make_engine(f"sqlite:///{folder}/bench.db")
    await migrate(engine)
    from confops.demo.abs import load_demo
    from confops.documents import program_pdf
    from confops.events import calendar, service
    from confops.speakers import disclosures

    await load_demo()
    started = time.perf_counter()
    for _ in range(rounds):
        event = await service.get_event("abs-national-meeting")
        people = await disclosures.for_learners([s.id for s in event.sessions])
        planners = await disclosures.planners_of_event("abs-national-meeting")
        pdf = program_pdf.render(event, people, planners=planners, accreditation="A", designation="D")
    pdf_ms = (time.perf_counter() - started) * 1000 / rounds
    events = [calendar.CalendarEvent(uid=f"s{s.id}@bench", starts_at=s.starts_at, ends_at=s.ends_at,
                                     summary=s.title, description=s.abstract * 3, location=s.room or "")
              for s in event.sessions] * 20
    started = time.perf_counter()
    for _ in range(rounds):
        body = calendar.render(events, name="bench", stamp=event.starts_at)
    ics_ms = (time.perf_counter() - started) * 1000 / rounds
    print(f"program PDF: {len(pdf)} bytes, {len(event.sessions)} sessions, {pdf_ms:.1f} ms per build (with queries)")
    print(f"iCalendar: {len(events)} events, {len(body)} bytes, {ics_ms:.1f} ms per feed")
    print(f"rounds={rounds} program_pdf_ms={pdf_ms:.1f} ics_{len(events)}_events_ms={ics_ms:.1f}")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10))
