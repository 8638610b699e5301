"""Plain data for the Balint group engine.

These are frozen dataclasses, not tables, so the pure engine (`assign.py`) can be called by the
service layer, the CLI, a staff page or a benchmark alike: whoever holds the registrants and
leaders builds these records and gets an `Assignment` back. Ids are whatever the caller uses
(attendee ids, user ids); the engine only compares them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Track(StrEnum):
    experience = "experience"  # experience-only: being a group member
    leadership = "leadership"  # leadership practice: members also practise leading


class Discipline(StrEnum):
    physician = "physician"
    behavioural_health = "behavioural_health"
    other = "other"


class Experience(StrEnum):
    trainee = "trainee"  # leader in training: must co-lead with a credentialed/faculty leader
    credentialed = "credentialed"
    faculty = "faculty"


@dataclass(frozen=True)
class Participant:
    id: int | str
    name: str
    institution: str = ""
    profession: str = ""
    track: Track = Track.experience
    # A participant's supervisor (a leader's or another participant's id): kept apart where possible.
    supervisor_id: int | str | None = None


@dataclass(frozen=True)
class Leader:
    id: int | str
    name: str = ""
    discipline: Discipline = Discipline.other
    experience: Experience = Experience.credentialed
    institution: str = ""

    @property
    def senior(self) -> bool:
        return self.experience is not Experience.trainee


@dataclass(frozen=True)
class Pin:
    """Staff's explicit wish: `a` and `b` in the same group (together) or never in one (apart)."""

    a: int | str
    b: int | str
    together: bool


@dataclass(frozen=True)
class LockedGroup:
    """A group staff have fixed: the engine never adds to, removes from or re-leads it."""

    number: int
    member_ids: tuple[int | str, ...]
    leader_ids: tuple[int | str, ...] = ()
    room: str | None = None


@dataclass(frozen=True)
class Bounds:
    min_size: int = 6
    max_size: int = 10
    ideal_size: int = 8  # used only when the engine chooses the number of groups itself


@dataclass(frozen=True)
class Group:
    number: int
    members: tuple[int | str, ...]
    leaders: tuple[int | str, ...] = ()
    track: Track | None = None  # None when tracks are not separated
    room: str | None = None
    locked: bool = False

    @property
    def size(self) -> int:
        return len(self.members)


@dataclass(frozen=True)
class Problem:
    """A constraint that could not be met, in words staff can act on."""

    code: str  # bounds_impossible, too_few_leaders, too_few_rooms, infeasible_pin, unknown_id, ...
    message: str


@dataclass(frozen=True)
class Report:
    group_count: int
    smallest: int
    largest: int
    size_spread: int
    groups_out_of_bounds: int
    institution_clashes: int
    institution_clashes_unavoidable: int  # lower bound from institution sizes vs group count
    supervisor_clashes: int
    unmixed_leader_pairs: int
    trainee_only_leadership: int
    groups_without_leader: int
    pins_broken: int
    unused_leaders: tuple[int | str, ...] = ()
    moved: tuple[int | str, ...] = ()  # stable mode: people who stayed but changed group
    added: tuple[int | str, ...] = ()  # stable mode: newcomers since the previous assignment
    removed: tuple[int | str, ...] = ()  # stable mode: people no longer on the roster
    problems: tuple[Problem, ...] = ()
    cost: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems and self.pins_broken == 0 and self.groups_out_of_bounds == 0


@dataclass(frozen=True)
class Assignment:
    """One assignment for a whole small-group series (all its sessions), not for one session."""

    groups: tuple[Group, ...]
    report: Report
    seed: int = 0

    def group_of(self, person_id: int | str) -> Group | None:
        for g in self.groups:
            if person_id in g.members or person_id in g.leaders:
                return g
        return None


@dataclass(frozen=True)
class Request:
    """Everything the engine needs; build one and pass it to `assign()`."""

    participants: tuple[Participant, ...]
    leaders: tuple[Leader, ...] = ()
    bounds: Bounds = field(default_factory=Bounds)
    group_count: int | None = None  # None: the engine chooses (from ideal size, leaders, rooms)
    rooms: tuple[str, ...] = ()  # when given, at most one group per room, in this order
    pins: tuple[Pin, ...] = ()
    locked: tuple[LockedGroup, ...] = ()
    separate_tracks: bool = False
    previous: Assignment | None = None
    seed: int = 0
