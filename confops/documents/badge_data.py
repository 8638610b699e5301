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

from dataclasses import dataclass, field, replace
from datetime import datetime

from confops.accounts.tables import STAFF_ROLES, RoleGrant
from confops.checkin.service import event_key, issue_token
from confops.core import clock, extension
from confops.core.errors import NotFound
from confops.core.paging import Page, page_of
from confops.documents.badges import BadgeData, fold, sort_key
from confops.events.tables import AgendaItem, Event, SessionKind
from confops.registration.tables import HOLDING, Attendee, AttendeeStatus, OrderStatus
from confops.speakers.tables import SessionSpeaker, SpeakerRole

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
    event, chosen, unpaid = await _chosen(slug, filters or BadgeFilters())
    badges = await _badges(event, chosen, secret_key)
    return Roster(event, sorted(badges, key=sort_key), unpaid)


@dataclass
class RosterPage:
    """One page of the badge list for the staff page: only this page's badges are drawn up
    (tokens signed, back lines asked for), the others are only counted."""
    event: dict
    badges: Page
    unpaid: Page


async def roster_page(slug: str, filters: BadgeFilters, *, secret_key: str, page: int, unpaid_page: int = 1,
                      params: dict | None = None) -> RosterPage:
    event, chosen, unpaid = await _chosen(slug, filters)
    people = page_of(chosen, page, params=params)
    badges = sorted(await _badges(event, people.rows, secret_key), key=sort_key)
    return RosterPage(event, replace(people, rows=badges),
                      page_of(unpaid, unpaid_page, params={**(params or {}), "page": people.number}, param="upage"))


async def _chosen(slug: str, filters: BadgeFilters) -> tuple[dict, list[_Person], list[Unpaid]]:
    """Everyone matching the filters, in badge order, and the registrations awaiting payment
    that match the name filter."""
    event = await Event.select(Event.id, Event.slug, Event.title, Event.timezone, Event.organizer).where(
        Event.slug == slug).first()
    if event is None:
        raise NotFound(f"There is no event called {slug!r}.")
    people: dict[str, _Person] = {}
    unpaid = await _attendees(event, people, only=_attendee_ids(filters))
    await _speakers(event, people)  # speakers, staff and named people are few whatever the event's size
    await _staff(event, people)
    await _from_other_areas(event, people)
    await _agendas(event, people)
    chosen = [p for p in people.values() if _wanted(p, filters)]
    if filters.not_printed:
        chosen = await _not_printed(event["id"], chosen)
    wanted = fold(filters.name.strip())
    unpaid = [u for u in unpaid if not wanted or wanted in fold(u.name)]
    return event, sorted(chosen, key=_person_sort_key), sorted(unpaid, key=lambda u: fold(u.name))


def _attendee_ids(filters: BadgeFilters) -> list[int] | None:
    """The registrations a reprint names (`attendee-12`), read alone rather than the whole event's."""
    if filters.person_keys is None or not all(k.startswith("attendee-") for k in filters.person_keys):
        return None
    return [int(k.partition("-")[2]) for k in filters.person_keys if k.partition("-")[2].isdigit()]


def _person_sort_key(p: _Person) -> tuple[str, str, str]:
    """The order of `sort_key` (documents/badges.py), known before the badge is drawn up."""
    full = f"{p.first_name} {p.last_name}".strip()
    last = p.last_name or (full.split()[-1] if full.split() else "")
    return (fold(last), fold(p.details.get("badge_name") or p.first_name), full)


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


async def _attendees(event: dict, people: dict[str, _Person], only: list[int] | None = None) -> list[Unpaid]:
    where = (Attendee.event == event["id"]) & (Attendee.status == AttendeeStatus.active.value)
    if only is not None:  # these registrations, and any other with the same e-mail (one badge a person)
        emails = [r["email"] for r in await Attendee.select(Attendee.email).where(Attendee.id.is_in(only or [0]))]
        where &= Attendee.id.is_in(only or [0]) | Attendee.email.is_in(emails or [""])
    rows = await Attendee.select(
        Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.badge_name, Attendee.credentials,
        Attendee.pronouns, Attendee.institution, Attendee.city_region, Attendee.email, Attendee.token_version,
        Attendee.category.code.as_alias("category_code"), Attendee.category.label.as_alias("category_label"),
        Attendee.order.status.as_alias("order_status"), Attendee.order,
    ).where(where).order_by(Attendee.id)
    unpaid = []
    for r in rows:
        if r["order_status"] in HOLDING:
            unpaid.append(Unpaid(f"{r['first_name']} {r['last_name']}", r["category_label"], r["order"]))
            continue
        if r["order_status"] != OrderStatus.confirmed.value:
            continue
        email = _email(r["email"])
        key = email or f"attendee-{r['id']}"
        if key in people:  # the same e-mail registered twice: one badge, the first registration
            continue
        people[key] = _Person(
            f"attendee-{r['id']}", r["first_name"], r["last_name"],
            {k: r[k] for k in ("badge_name", "credentials", "pronouns", "institution", "city_region")},
            {"attendee"}, attendee_id=r["id"], token_version=r["token_version"], category=r["category_code"],
            email=email)
    return unpaid


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


async def _agendas(event: dict, people: dict[str, _Person]) -> None:
    """Sessions each person put on their personal agenda (signed in with the same e-mail)."""
    by_email = {p.email: p for p in people.values() if p.email}
    if not by_email:
        return
    # The event's agenda items with their owners' e-mails, joined in the database: an IN list of
    # every person's e-mail took seconds to build at 20,000 registrations.
    rows = await AgendaItem.raw(
        'SELECT u.email AS email, s.title AS title, s.code AS code, s.starts_at AS starts_at FROM agenda_item i '
        'JOIN account_user u ON u.id = i."user" JOIN program_session s ON s.id = i.session '
        "WHERE s.event = {} AND s.published = {}", event["id"], True)
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
    printed = set().union(*await extension.collect("badges_printed", event_id=event_id))
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
