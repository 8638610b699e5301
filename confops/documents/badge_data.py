"""Who gets a badge for an event, as plain `BadgeData`.

Everyone who will be in the building with a role to show:
- **attendees** whose order is confirmed: paid (card or at the desk), free, or complimentary.
  Attendees whose order still awaits payment are *not* printed: the order may yet expire and
  its place go to someone else, and the door would answer "unpaid" to their QR anyway. They
  are returned apart (`Roster.unpaid`) so the badge page can list them for the desk, where a
  payment is taken and the badge printed at once. Cancelled, expired and transferred
  registrations get nothing (their token is refused at the door).
- **speakers** of the event's published sessions (faculty; group leader when they lead or
  co-lead a Balint group session);
- **staff**: people with a staff role at the event's organizer;
- **people other areas name** (`collect("badge_people")`): the leaders of the published Balint
  groups, who often lead without registering or being on the program.

One person, one badge: a speaker or staff member who also registered (same e-mail) gets one
badge, with the registration's details and QR, and the role of highest priority (`PRIORITY`:
group leader, faculty, staff, attendee — the order in which attendees need to find them).

Only registrations have a check-in token (confops/checkin/tokens.py): speakers and staff are
checked in through their (often complimentary) registration when they have one, so a badge
without a registration has no QR.

The back of a fold-over badge shows the personal schedule (own sessions and the personal
agenda of the account with the same e-mail) and the small-group assignment, which the groups
area provides through `collect("badge_back_lines", ...)` (confops/core/extension.py).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field, replace
from datetime import datetime

from piccolo.columns.combination import WhereRaw

from confops.accounts.tables import RoleGrant
from confops.checkin.service import event_key, issue_token
from confops.core import clock, extension
from confops.core.auth import STAFF_ROLES
from confops.core.errors import NotFound
from confops.core.folding import fold
from confops.core.paging import PAGE_SIZE, Page, counted_to
from confops.documents.badges import BadgeData
from confops.events.kinds import SessionKind
from confops.events.tables import AgendaItem, Event
from confops.registration.name_keys import name_columns, search_pattern
from confops.registration.tables import HOLDING, Attendee, AttendeeStatus, OrderStatus
from confops.speakers.roles import SpeakerRole
from confops.speakers.tables import SessionSpeaker

LEADER_ROLES = {SpeakerRole.group_leader.value, SpeakerRole.co_leader.value}
PRIORITY = ("group_leader", "faculty", "staff", "attendee")


@dataclass(frozen=True)
class BadgeFilters:
    roles: frozenset[str] | None = None  # attendee, faculty, staff, group_leader; None = everyone
    categories: frozenset[str] | None = None  # registration category codes; None = everyone
    not_printed: bool = False  # only badges never printed with the person's current token
    name: str = ""  # part of the name, without regard to case or accents
    person_keys: frozenset[str] | None = None  # exactly these people (a reprint at the desk)


@dataclass(frozen=True)
class Unpaid:
    """A registration awaiting payment: no badge until the desk takes the payment."""

    name: str
    category: str
    order_id: int

    def __str__(self) -> str:
        return f"{self.name} ({self.category})"


@dataclass
class Roster:
    event: dict
    badges: list[BadgeData]
    unpaid: list[Unpaid] = field(default_factory=list)


@dataclass
class _Person:
    key: str
    first_name: str
    last_name: str
    details: dict
    roles: set[str] = field(default_factory=set)
    schedule: list[tuple] = field(default_factory=list)
    leads: bool = False
    attendee_id: int | None = None
    token_version: int = 0
    category: str = ""
    email: str = ""
    lines: list[str] = field(default_factory=list)  # badge back, for people without a registration


async def badge_data_for_event(slug: str, filters: BadgeFilters | None = None, *, secret_key: str) -> list[BadgeData]:
    """Everyone who gets a badge for the event, sorted by last name (then first name)."""
    return (await badge_roster(slug, filters, secret_key=secret_key)).badges


async def badge_roster(slug: str, filters: BadgeFilters | None = None, *, secret_key: str) -> Roster:
    """Every badge the filters choose (a batch to print): the registrations are filtered in the
    database, so a batch of the not yet printed or of one category reads only those."""
    filters = filters or BadgeFilters()
    event = await _event(slug)
    few, merged = await _few(event, filters)
    where = await _registrations(event, filters, merged)
    many = [_registrant(r) for r in await Attendee.select(*_COLUMNS).where(where).order_by(*_ORDER)]
    chosen = sorted([*many, *few], key=_order)
    await _agendas(event, chosen)
    # A reprint names its people: the registrations awaiting payment are no business of it.
    unpaid = [] if filters.person_keys is not None else await _unpaid_query(event, filters).order_by(*_ORDER)
    return Roster(event, await _badges(event, chosen, secret_key),
                  [Unpaid(f"{u['first_name']} {u['last_name']}", u["category_label"], u["order"]) for u in unpaid])


@dataclass
class RosterPage:
    """One page of the badge list for the staff page: only this page's badges are drawn up
    (tokens signed, back lines asked for), the others are only counted."""
    event: dict
    badges: Page
    unpaid: Page


async def roster_page(slug: str, filters: BadgeFilters, *, secret_key: str, page: int, unpaid_page: int = 1,
                      params: dict | None = None, size: int = PAGE_SIZE, cap: int | None = None) -> RosterPage:
    """One page of the badge list. The registrations (all but a few) are paged in the database
    in badge order; the few people who are not plain registrations (speakers, staff, group
    leaders, and the registrations they merge with) are read whole and slotted in between:
    a window of the registrations `len(few)` rows wider than the page is enough to place them.
    Both lists are counted up to `cap` rows past their page (core/paging.py `counted_to`)."""
    event = await _event(slug)
    few, merged = await _few(event, filters)
    few.sort(key=_order)
    where = await _registrations(event, filters, merged)
    # Counted past this page only: the window's end is then known to be the list's end exactly
    # when the list is shorter than the count's limit, which is all `_placed` asks.
    many_total, more = await counted_to(Attendee.select(Attendee.id).where(
        await _registrations(event, filters, merged, counting=True)), page, size, cap)
    total = many_total + len(few)
    number = min(page, max(1, -(-total // size)))
    start = (number - 1) * size
    window_start = max(0, start - len(few))
    window = [_registrant(r) for r in await Attendee.select(*_COLUMNS).where(where).order_by(*_ORDER).limit(
        start + size - window_start).offset(window_start)]
    rows = sorted(_placed(window, window_start, many_total, few, start, size), key=lambda pair: pair[0])
    people = [person for _, person in rows]  # the list shows no schedules: no agendas read
    params = params or {}
    unpaid_total, unpaid_more = await counted_to(Attendee.select(Attendee.id).where(_unpaid_where(event, filters)),
                                                 unpaid_page, size, cap)
    unpaid_number = min(unpaid_page, max(1, -(-unpaid_total // size)))
    unpaid_rows = await _unpaid_query(event, filters).order_by(*_ORDER).limit(size).offset(
        (unpaid_number - 1) * size)
    badges = Page(rows=await _badges(event, people, secret_key), total=total, number=number, size=size,
                  params=params, more=more)
    unpaid = Page(rows=[Unpaid(f"{u['first_name']} {u['last_name']}", u["category_label"], u["order"])
                        for u in unpaid_rows], total=unpaid_total, number=unpaid_number, size=size,
                  params={**params, "page": number}, param="upage", more=unpaid_more)
    return RosterPage(event, badges, unpaid)


def _placed(window: list[_Person], window_start: int, many_total: int, few: list[_Person], start: int,
            size: int) -> list[tuple[int, _Person]]:
    """The people at positions [start, start + size) of the merged list. A registration at
    index i of the database's order sits at i plus the number of the few before it; one of the
    few at its rank among the registrations plus the number of the few before it. Outside the
    window a rank is only bounded, and the bound puts that person off this page."""
    end = start + size
    keys = [_order(p) for p in few]
    out = []
    for i, person in enumerate(window, start=window_start):
        position = i + bisect_left(keys, _order(person))
        if start <= position < end:
            out.append((position, person))
    window_keys = [_order(p) for p in window]
    window_end = window_start + len(window)
    for j, person in enumerate(few):
        below = bisect_left(window_keys, keys[j])
        if below == 0 and window_start > 0:
            continue  # before the window: its rank is at most window_start, so before this page
        if below == len(window) and window_end < many_total:
            continue  # after the window: at or after this page's end
        position = window_start + below + j
        if start <= position < end:
            out.append((position, person))
    return out


async def _event(slug: str) -> dict:
    event = await Event.select(Event.id, Event.slug, Event.title, Event.timezone, Event.organizer).where(
        Event.slug == slug).first()
    if event is None:
        raise NotFound(f"There is no event called {slug!r}.")
    return event


def _order(p: _Person) -> tuple:
    """Badge order (`documents.badges.sort_key`, the database's `name_key, id` for registrations)."""
    key = name_columns(p.first_name, p.last_name, p.details.get("badge_name") or "")["name_key"]
    return (key, 0, p.attendee_id, "") if p.attendee_id is not None else (key, 1, 0, p.key)


_ORDER = (Attendee.name_key, Attendee.id)
FEW = 200  # up to this many people, related rows are read by an IN list of theirs
_COLUMNS = (Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.badge_name, Attendee.credentials,
            Attendee.pronouns, Attendee.institution, Attendee.city_region, Attendee.email, Attendee.token_version,
            Attendee.category.code.as_alias("category_code"))
# The first confirmed registration of an e-mail gets the badge; the others with that e-mail none
# (registrations without an e-mail each get theirs). An earlier one is looked up in the index on
# (event, email, id).
_EARLIER_OF_EMAIL = (
    "EXISTS (SELECT 1 FROM registration_attendee b JOIN registration_order bo ON bo.id = b.\"order\" "
    "WHERE b.event = registration_attendee.event AND b.email = registration_attendee.email AND b.email <> '' "
    "AND b.id < registration_attendee.id AND b.status = {} AND bo.status = {})")


def _first_of_email(each: bool) -> WhereRaw:
    """Registrations that are the first confirmed one of their e-mail. `each`: the question is put
    to each registration in turn (under an OR, PostgreSQL cannot make it an anti-join), for a
    bounded count: the count stops after its limit and the lookups with it, where an anti-join
    would first hash every registration of the event. Otherwise PostgreSQL chooses: one hash for
    a whole roster; for a page walked in badge order, lookups made after the order's status is
    checked (asked of each, they would be made before, for unpaid registrations too)."""
    sql = f"(registration_attendee.email = '' OR NOT {_EARLIER_OF_EMAIL})" if each else f"NOT {_EARLIER_OF_EMAIL}"
    return WhereRaw(sql, AttendeeStatus.active.value, OrderStatus.confirmed.value)


def _confirmed(event: dict, *, counting: bool = False):
    return ((Attendee.event == event["id"]) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value) & _first_of_email(counting))


async def _registrations(event: dict, filters: BadgeFilters, merged: list[int], *, counting: bool = False):
    """Which confirmed registrations the filters choose, but for those merged with one of the
    few (a speaker, staff member or group leader: their role is not "attendee"). `counting`: the
    same rows, for a bounded count (`_first_of_email`)."""
    where = _confirmed(event, counting=counting)
    if merged:
        where &= Attendee.id.not_in(merged)
    if filters.roles is not None and "attendee" not in filters.roles:
        where &= Attendee.id == -1
    if filters.categories is not None:
        where &= Attendee.category.code.is_in(sorted(filters.categories) or [""])
    if filters.person_keys is not None:
        ids = [int(k.partition("-")[2]) for k in filters.person_keys
               if k.startswith("attendee-") and k.partition("-")[2].isdigit()]
        where &= Attendee.id.is_in(ids or [-1])
    if name := filters.name.strip():
        where &= WhereRaw("registration_attendee.name_search LIKE {}", search_pattern(name))
    if filters.not_printed:  # the badges area keeps the print log and says how to leave the printed out
        for clause in await extension.collect("badge_not_printed_clause"):
            where &= WhereRaw(clause)
    return where


def _registrant(r: dict) -> _Person:
    return _Person(f"attendee-{r['id']}", r["first_name"], r["last_name"],
                   {k: r[k] for k in ("badge_name", "credentials", "pronouns", "institution", "city_region")},
                   {"attendee"}, attendee_id=r["id"], token_version=r["token_version"], category=r["category_code"],
                   email=_email(r["email"]))


def _unpaid_where(event: dict, filters: BadgeFilters):
    where = ((Attendee.event == event["id"]) & (Attendee.status == AttendeeStatus.active.value)
             & Attendee.order.status.is_in(list(HOLDING)))
    if name := filters.name.strip():
        where &= WhereRaw("registration_attendee.name_search LIKE {}", search_pattern(name))
    return where


def _unpaid_query(event: dict, filters: BadgeFilters):
    return Attendee.select(Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.order,
                           Attendee.category.label.as_alias("category_label")).where(_unpaid_where(event, filters))


async def _few(event: dict, filters: BadgeFilters) -> tuple[list[_Person], list[int]]:
    """Speakers, staff and the people other areas name, merged by e-mail with their first
    confirmed registration, that the filters choose: few, whatever the event's size. With
    them, every registration merged so (chosen or not: it is not a plain registration)."""
    people: dict[str, _Person] = {}
    await _speakers(event, people)
    await _staff(event, people)
    await _from_other_areas(event, people)
    emails = sorted({p.email for p in people.values() if p.email})
    merged: list[int] = []
    if emails:
        rows = await Attendee.select(*_COLUMNS).where(_confirmed(event) & Attendee.email.is_in(emails)).order_by(
            Attendee.id)
        for r in rows:
            person = people.get(_email(r["email"]))
            if person is not None and person.attendee_id is None:
                _merge(person, _registrant(r))
                merged.append(r["id"])
    chosen = [p for p in people.values() if _wanted(p, filters)]
    if filters.not_printed and chosen:
        chosen = await _not_printed(event["id"], chosen)
    return chosen, merged


def _merge(person: _Person, registrant: _Person) -> None:
    """A speaker, staff member or group leader who registered: one badge, with the
    registration's name, details and QR; details the registration left empty come from the
    speaker profile."""
    details = {**person.details, **{k: v for k, v in registrant.details.items() if v}}
    person.key, person.first_name, person.last_name = registrant.key, registrant.first_name, registrant.last_name
    person.details = {**details, "badge_name": registrant.details.get("badge_name") or ""}
    person.roles.add("attendee")
    person.attendee_id, person.token_version, person.category = (registrant.attendee_id, registrant.token_version,
                                                                 registrant.category)
    person.lines = []  # a registration's back lines come from badge_back_lines


def role_of(roles: set[str]) -> str:
    return next(r for r in PRIORITY if r in roles) if roles else "attendee"


def _wanted(person: _Person, filters: BadgeFilters) -> bool:
    if filters.person_keys is not None and person.key not in filters.person_keys:
        return False
    if filters.roles is not None and role_of(person.roles) not in filters.roles:
        return False
    if filters.categories is not None and person.category not in filters.categories:
        return False
    wanted = fold(filters.name.strip())
    return not wanted or wanted in fold(f"{person.first_name} {person.last_name} {person.details.get('badge_name', '')}")


def _split_name(full: str) -> tuple[str, str]:
    """First and last name from one display name (the last word is the last name)."""
    first, _, last = full.strip().rpartition(" ")
    return (first, last) if first else (last, "")


def _email(value: str | None) -> str:
    return (value or "").strip().casefold()


async def _speakers(event: dict, people: dict[str, _Person]) -> None:
    rows = await SessionSpeaker.select(
        SessionSpeaker.role, SessionSpeaker.speaker.id, SessionSpeaker.speaker.first_name,
        SessionSpeaker.speaker.last_name, SessionSpeaker.speaker.credentials, SessionSpeaker.speaker.pronouns,
        SessionSpeaker.speaker.institution, SessionSpeaker.speaker.city_region, SessionSpeaker.speaker.email,
        SessionSpeaker.session.title, SessionSpeaker.session.code, SessionSpeaker.session.kind,
        SessionSpeaker.session.starts_at,
    ).where(SessionSpeaker.session.event == event["id"]).where(SessionSpeaker.session.published.eq(True))
    for r in rows:
        email = _email(r["speaker.email"])
        key = email or f"speaker-{r['speaker.id']}"
        person = people.get(key)
        if person is None:
            person = people[key] = _Person(
                f"speaker-{r['speaker.id']}", r["speaker.first_name"], r["speaker.last_name"],
                {k: r[f"speaker.{k}"] for k in ("credentials", "pronouns", "institution", "city_region")},
                email=email)
        else:  # registered too: the registration's details win, empty ones are filled in
            for k in ("credentials", "pronouns", "institution", "city_region"):
                person.details[k] = person.details.get(k) or r[f"speaker.{k}"]
        person.roles.add("faculty")
        person.schedule.append((r["session.starts_at"], r["session.code"], r["session.title"]))
        if r["role"] in LEADER_ROLES and r["session.kind"] == SessionKind.balint_group.value:
            person.roles.add("group_leader")
            person.leads = True


async def _staff(event: dict, people: dict[str, _Person]) -> None:
    rows = await RoleGrant.select(RoleGrant.user.id, RoleGrant.user.display_name, RoleGrant.user.email).where(
        (RoleGrant.organizer == event["organizer"]) & RoleGrant.role.is_in([r.value for r in STAFF_ROLES])
        & (RoleGrant.user.active.eq(True)))
    for r in rows:
        email = _email(r["user.email"])
        key = email or f"user-{r['user.id']}"
        if key not in people:
            first, last = _split_name(r["user.display_name"] or email)
            people[key] = _Person(f"user-{r['user.id']}", first, last, {}, email=email)
        people[key].roles.add("staff")


async def _from_other_areas(event: dict, people: dict[str, _Person]) -> None:
    for answer in await extension.collect("badge_people", event_id=event["id"]):
        for named in answer or []:
            email = _email(named.email)
            key = email or f"named-{fold(named.name)}"
            person = people.get(key)
            if person is None:
                first, last = _split_name(named.name)
                person = people[key] = _Person(f"named-{email or fold(named.name)}", first, last,
                                               {"institution": named.institution}, email=email)
            person.roles.add(named.role)
            if named.role == "group_leader":
                person.leads = True
            if person.attendee_id is None:  # a registration's back lines come from badge_back_lines
                person.lines.extend(line for line in named.lines if line not in person.lines)


async def _agendas(event: dict, people: list[_Person]) -> None:
    """Sessions each person put on their personal agenda (signed in with the same e-mail)."""
    by_email = {p.email: p for p in people if p.email}
    if not by_email:
        return
    # The event's agenda items with their owners' e-mails, joined in the database; for a few
    # people (a reprint, a small batch) only theirs. An IN list of every person's e-mail took
    # seconds to build at 20,000 registrations.
    sql = ('SELECT u.email AS email, s.title AS title, s.code AS code, s.starts_at AS starts_at FROM agenda_item i '
           'JOIN account_user u ON u.id = i."user" JOIN program_session s ON s.id = i.session '
           "WHERE s.event = {} AND s.published = {}")
    args: list = [event["id"], True]
    if len(by_email) <= FEW:
        sql += f" AND u.email IN ({', '.join('{}' for _ in by_email)})"
        args += sorted(by_email)
    rows = await AgendaItem.raw(sql, *args)
    for r in rows:
        person = by_email.get(_email(r["email"]))
        if person is not None:
            starts_at = r["starts_at"]
            if isinstance(starts_at, str):  # SQLite answers a raw query's timestamps as text
                starts_at = datetime.fromisoformat(starts_at)
            person.schedule.append((starts_at, r["code"], r["title"]))


async def _not_printed(event_id: int, chosen: list[_Person]) -> list[_Person]:
    """People whose badge with their current token was never printed (the badges area keeps the
    print log and answers `badges_printed` with the (person key, token version) pairs)."""
    printed = set().union(*await extension.collect("badges_printed", event_id=event_id,
                                                   person_keys=[p.key for p in chosen]))
    return [p for p in chosen if (p.key, p.token_version) not in printed]


async def _badges(event: dict, chosen: list[_Person], secret_key: str) -> list[BadgeData]:
    attendee_ids = [p.attendee_id for p in chosen if p.attendee_id is not None]
    group_lines: dict[int, list[str]] = {}
    if attendee_ids:
        for answer in await extension.collect("badge_back_lines", event_id=event["id"], attendee_ids=attendee_ids):
            for attendee_id, lines in (answer or {}).items():
                group_lines.setdefault(int(attendee_id), []).extend(str(line) for line in lines)
    key = await event_key(event["id"], secret_key) if attendee_ids else None
    badges = []
    for p in chosen:
        schedule = []
        for starts_at, code, title in sorted(p.schedule, key=lambda s: s[0]):
            start = clock.local(starts_at, event["timezone"])
            line = f"{start:%a %H:%M} {code + ' ' if code else ''}{title}"
            if line not in schedule:
                schedule.append(line)
        d = p.details
        first = d.get("badge_name") or p.first_name
        base = BadgeData(
            first_name=first, last_name=p.last_name, full_name=f"{p.first_name} {p.last_name}".strip(),
            credentials=d.get("credentials") or "", pronouns=d.get("pronouns") or "",
            institution=d.get("institution") or "", city_region=d.get("city_region") or "",
            role=role_of(p.roles), group_label="Balint group leader" if p.leads else "",
            schedule=tuple(schedule), event_title=event["title"], person_key=p.key,
            attendee_id=p.attendee_id, token_version=p.token_version, category=p.category,
            group_lines=tuple(p.lines))
        if p.attendee_id is not None and key is not None:
            base = replace(base, qr_token=issue_token(key, p.attendee_id, p.token_version),
                           group_lines=tuple(group_lines.get(p.attendee_id, ())))
        badges.append(base)
    return badges
