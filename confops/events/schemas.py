"""The shapes events are read in, shared by pages and the JSON API."""

from __future__ import annotations

from datetime import datetime

import msgspec


class OrganizerOut(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    short_name: str
    mission: str
    vision: str
    core_values: list[str]
    inclusion_statement: str
    affiliations: list[str]
    founded_year: int | None
    nonprofit_status: str
    city: str
    region: str
    country: str
    email: str
    website: str


class SpeakerOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    credentials: str
    pronouns: str
    institution: str
    role: str
    bio: str = ""


class RoomOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    capacity: int | None
    accessibility: str


class TrackOut(msgspec.Struct, kw_only=True):
    id: int
    name: str
    color: str


class SessionOut(msgspec.Struct, kw_only=True):
    id: int
    code: str
    title: str
    abstract: str
    kind: str
    starts_at: datetime
    ends_at: datetime
    room: str | None
    track: str | None
    capacity: int | None
    credit_quarters: int
    credit: float
    speakers: list[SpeakerOut]


class EventSummary(msgspec.Struct, kw_only=True):
    id: int
    slug: str
    title: str
    kind: str
    status: str
    organizer: str
    summary: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    online: bool
    venue_name: str
    city: str
    region: str
    country: str
    url: str


class EventDetail(EventSummary, kw_only=True):
    description: str
    venue_address: str
    currency: str
    capacity: int | None
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    cme_enabled: bool
    cme_max_credit: float
    rooms: list[RoomOut]
    tracks: list[TrackOut]
    sessions: list[SessionOut]


class EventList(msgspec.Struct, kw_only=True):
    events: list[EventSummary]
