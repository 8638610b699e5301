"""Which speaker records belong to the signed-in person, and the ownership checks every
speaker-portal use-case starts with (a speaker sees and changes only their own things)."""

from __future__ import annotations

from confops.core.auth import Principal
from confops.core.errors import NotFound, NotSignedIn
from confops.speakers.tables import SessionSpeaker, Speaker


async def speaker_ids(principal: Principal | None) -> list[int]:
    """Speaker rows linked to this user, and rows of their e-mail linked to no one (made by
    e-mail before the person had an account, outside the invitation that links them): the same
    verified e-mail, as they signed in by a mailed link. Read as theirs, not linked here: the
    portal's pages only read."""
    if principal is None:
        raise NotSignedIn("Please sign in to continue.")
    rows = await Speaker.select(Speaker.id).where(
        (Speaker.user == principal.user_id) | ((Speaker.email == principal.email) & Speaker.user.is_null())
    ).order_by(Speaker.id)
    return [r["id"] for r in rows]


async def own_speaker(principal: Principal | None, speaker_id: int | None = None) -> dict:
    """The caller's speaker row (the given one, if it is theirs). Another person's id is a 404:
    we do not confirm that it exists."""
    ids = await speaker_ids(principal)
    if not ids:
        raise NotFound("Your account is not linked to a speaker profile.")
    wanted = speaker_id if speaker_id is not None else ids[0]
    if wanted not in ids:
        raise NotFound("There is no such speaker profile in your account.")
    return await Speaker.select().where(Speaker.id == wanted).first()


async def own_session_link(principal: Principal | None, session_id: int) -> dict:
    """The caller's place in a session (SessionSpeaker row with the speaker id), or 404."""
    ids = await speaker_ids(principal)
    row = None
    if ids:
        row = await SessionSpeaker.select().where(
            (SessionSpeaker.session == session_id) & SessionSpeaker.speaker.is_in(ids)
        ).first()
    if row is None:
        raise NotFound("This session is not one of yours.")
    return row
