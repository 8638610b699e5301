"""Who withdrew from which session: a withdrawn speaker stays in the staff editor (marked) but
leaves the public agenda, session pages, disclosures shown to learners, the program PDF, and
the conflict and CME checks (they no longer teach there)."""

from __future__ import annotations

from confops.speakers.tables import Participation, SpeakerInvitation


async def withdrawn_pairs(session_ids: list[int]) -> set[tuple[int, int]]:
    """(session id, speaker id) of every speaker who withdrew from one of these sessions."""
    if not session_ids:
        return set()
    rows = await SpeakerInvitation.select(SpeakerInvitation.session_speaker.session.as_alias("session"),
                                          SpeakerInvitation.session_speaker.speaker.as_alias("speaker")).where(
        (SpeakerInvitation.status == Participation.withdrawn.value)
        & SpeakerInvitation.session_speaker.session.is_in(session_ids))
    return {(r["session"], r["speaker"]) for r in rows}
