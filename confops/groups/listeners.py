"""What the small groups tell other areas (see confops/core/extension.py): the group line on
the badge back, group leaders for the badges, a mail filter by group, a dashboard panel of
group sizes; and what they hear:
a check-in scan into a group session marks the member present on their group's roster, and
undoing that scan takes the mark back."""

from __future__ import annotations

from confops.core.extension import BadgePerson, MailFilter, Panel, provides
from confops.groups import published


@provides("badge_back_lines")
async def badge_back_lines(event_id: int, attendee_ids) -> dict[int, list[str]]:
    return await published.published_lines(event_id, list(attendee_ids))


@provides("badge_people")
async def badge_people(event_id: int) -> list[BadgePerson]:
    """Leaders of the published groups get a group-leader badge, registered or not."""
    return [BadgePerson(email=r["email"], name=r["name"], role="group_leader", institution=r["institution"],
                        lines=tuple(r["lines"])) for r in await published.published_leaders(event_id)]


@provides("mail_filters")
async def mail_filters(event_id: int) -> list[MailFilter]:
    groups = await published.published_members(event_id)
    if not groups:
        return []

    async def attendee_ids(choice: str) -> set[int]:
        current = await published.published_members(event_id)
        if choice == "all":
            return set().union(*current.values()) if current else set()
        return current.get(int(choice), set()) if choice.isdigit() else set()

    choices = [("all", "Everyone in a Balint group")] + [(str(n), f"Balint group {n}") for n in sorted(groups)]
    return [MailFilter("balint_group", "Balint small group", choices, attendee_ids)]


@provides("dashboard_panels")
async def dashboard_panels(event_id: int) -> list[Panel]:
    groups = await published.published_members(event_id)
    if not groups:
        return []
    return [Panel("balint_groups", "Balint group sizes", "bar",
                  [(f"Group {n}", len(ids)) for n, ids in sorted(groups.items())],
                  note=f"{sum(len(v) for v in groups.values())} people in {len(groups)} published groups")]


@provides("session_scan_accepted")
async def session_scan_accepted(attendee_id: int, session_id: int, direction: str = "in", scanned_at=None,
                                list_id=None, **_: object) -> None:
    if direction == "in":
        from confops.core import clock

        await published.record_scan(attendee_id, session_id, scanned_at or clock.now())


@provides("scan_undone")
async def scan_undone(attendee_id: int, session_id: int | None = None, direction: str = "in", **_: object) -> None:
    if session_id is not None and direction == "in":
        await published.withdraw_scan(attendee_id, session_id)
