"""Balint group assignment at national-meeting scale (issue 8's goal: <= 2 s).

600 participants (both tracks, 60 institutions of uneven size, some supervisors, a few pins),
70 leaders, a small-group series of 8 sessions. Times the fresh assignment, expands it to the
8 session rosters, then a cancellation and a late registration against it (stable mode).

    .venv/bin/python bench/groups.py [--seed N] [--db]

With --db, the same roster is also written to a fresh SQLite database and assigned through the
service (`confops.groups.runs.assign_series`: load from the tables, run, store the draft) and
published with its e-mails queued, as the CLI and the staff page do.
"""

from __future__ import annotations

import argparse
import random
import time

from confops.groups.assign import assign, sessions_roster
from confops.groups.model import (
    Discipline,
    Experience,
    Leader,
    Participant,
    Pin,
    Request,
    Track,
)

PROFESSIONS = ["family medicine", "internal medicine", "psychiatry", "nursing", "social work",
               "psychology", "pediatrics", "chaplaincy"]


def roster(seed: int):
    rng = random.Random(seed)
    weights = [1 / (i + 1) for i in range(60)]  # a few big institutions, many small ones
    insts = [f"Institution {i}" for i in range(60)]
    leaders = tuple(Leader(
        10_000 + i, f"Leader {i}",
        [Discipline.physician, Discipline.behavioural_health, Discipline.other][i % 3 if i % 7 else 2],
        Experience.trainee if i % 6 == 0 else (Experience.faculty if i % 4 == 0 else Experience.credentialed),
        rng.choice(insts)) for i in range(70))
    people = tuple(Participant(
        i, f"Participant {i}", rng.choices(insts, weights)[0], rng.choice(PROFESSIONS),
        Track.leadership if rng.random() < 0.25 else Track.experience,
        rng.choice(leaders).id if rng.random() < 0.1 else None) for i in range(600))
    pins = tuple(Pin(rng.randrange(600), rng.randrange(600), rng.random() < 0.3) for _ in range(20))
    return people, leaders, pins


async def through_the_database(people, leaders, seed: int) -> None:
    """The service path on SQLite: returns after printing its timings."""
    import tempfile
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    from confops.accounts.tables import Organizer
    from confops.db import make_engine, migrate
    from confops.events.tables import Event, Session
    from confops.groups import planning, runs
    from confops.groups.tables import GroupLeader, GroupParticipant
    from confops.registration.tables import Attendee, Category, Order

    url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench-groups.db'}"
    await migrate(make_engine(url))
    org = Organizer(slug="bench", name="Bench Society")
    await org.save()
    start = datetime(2027, 6, 3, 15, tzinfo=UTC)
    event = Event(organizer=org.id, slug="bench-meeting", title="Bench meeting", kind="national_meeting",
                  starts_at=start, ends_at=start + timedelta(days=3))
    await event.save()
    for i in range(8):
        await Session(event=event.id, code=f"G{i + 1}", title=f"Group session {i + 1}", kind="balint_group",
                      starts_at=start + timedelta(hours=5 * i), ends_at=start + timedelta(hours=5 * i, minutes=90)).save()
    cat = Category(event=event.id, code="member", label="Member")
    await cat.save()
    order = Order(event=event.id, buyer_name="Bench", buyer_email="bench@example.org", status="confirmed",
                  idempotency_key="bench", pricing_snapshot="{}")
    await order.save()
    series = await planning.ensure_series(event.id, separate_tracks=True)
    await Attendee.insert(*[Attendee(order=order.id, event=event.id, category=cat.id, first_name="P", last_name=str(p.id),
                                     email=f"p{p.id}@example.org", institution=p.institution, profession=p.profession,
                                     checkin_code=f"code-{p.id}") for p in people])
    ids = {r["email"]: r["id"] for r in await Attendee.select(Attendee.id, Attendee.email)}
    await GroupParticipant.insert(*[GroupParticipant(series=series, attendee=ids[f"p{p.id}@example.org"],
                                                     track=p.track.value, supervisor_email="") for p in people])
    await GroupLeader.insert(*[GroupLeader(series=series, name=x.name, email=f"l{x.id}@example.org",
                                           discipline=x.discipline.value, experience=x.experience.value,
                                           institution=x.institution) for x in leaders])
    t0 = time.perf_counter()
    run_id, result = await runs.assign_series(series, seed=seed)
    t1 = time.perf_counter()
    queued = await runs.publish(series, run_id, actor=None, base_url="http://localhost")
    t2 = time.perf_counter()
    await Attendee.update({Attendee.status: "cancelled"}).where(Attendee.email == "p7@example.org")
    t3 = time.perf_counter()
    _, again = await runs.assign_series(series, seed=seed)
    t4 = time.perf_counter()
    print(f"database (SQLite): assign_series {t1 - t0:.3f} s ({result.report.group_count} groups), publish "
          f"{t2 - t1:.3f} s ({queued} e-mails queued), re-run after a cancellation {t4 - t3:.3f} s "
          f"(moved {len(again.report.moved)})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", action="store_true", help="also time the service path on SQLite")
    args = ap.parse_args()
    people, leaders, pins = roster(args.seed)
    if args.db:
        import asyncio

        asyncio.run(through_the_database(people, leaders, args.seed))
    req = Request(people, leaders, pins=pins, separate_tracks=True, seed=args.seed)
    t0 = time.perf_counter()
    a = assign(req)
    rosters = sessions_roster(a, [f"Group session {i + 1}" for i in range(8)])
    seconds = time.perf_counter() - t0
    r = a.report
    print(f"fresh: {r.group_count} groups, sizes {r.smallest}-{r.largest}, institution clashes "
          f"{r.institution_clashes} (unavoidable {r.institution_clashes_unavoidable}), supervisor "
          f"clashes {r.supervisor_clashes}, unmixed pairs {r.unmixed_leader_pairs}, trainee-only "
          f"{r.trainee_only_leadership}, leaderless {r.groups_without_leader}, pins broken "
          f"{r.pins_broken}, {len(rosters)} session rosters, {seconds:.3f} s")
    for p in r.problems:
        print(f"  problem {p.code}: {p.message}")

    gone = a.groups[3].members[0]
    t1 = time.perf_counter()
    c = assign(Request(tuple(p for p in people if p.id != gone), leaders, pins=pins,
                       separate_tracks=True, seed=args.seed, previous=a))
    print(f"cancellation: moved {len(c.report.moved)}, {time.perf_counter() - t1:.3f} s")
    late = Participant(9_999, "Late Registrant", "Institution 0", "nursing")
    t2 = time.perf_counter()
    d = assign(Request((*people, late), leaders, pins=pins, separate_tracks=True,
                       seed=args.seed, previous=a))
    print(f"late registration: moved {len(d.report.moved)}, placed in group "
          f"{d.group_of(late.id).number}, {time.perf_counter() - t2:.3f} s")
    print(f"seconds={seconds:.3f} clashes={r.institution_clashes} size_spread={r.size_spread} "
          f"groups={r.group_count} pins_broken={r.pins_broken} sessions=8")


if __name__ == "__main__":
    main()
