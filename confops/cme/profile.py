"""The learner's CME profile: board or licence id and birth month/day for PARS, with consent."""

from __future__ import annotations

from confops.cme.tables import CmeProfile
from confops.core import clock
from confops.core.auth import Principal
from confops.core.errors import FieldError, collect
from confops.db import upsert

BOARDS = ("", "abim", "abp", "other")
EMPTY = {"board": "", "board_id": "", "licence_id": "", "birth_month": None, "birth_day": None, "pars_consent": False}
DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


async def get(user_id: int) -> dict:
    return await CmeProfile.select().where(CmeProfile.user == user_id).first() or dict(EMPTY)


async def save(principal: Principal, form: dict) -> None:
    problems = []
    values = {"board": form.get("board") or "", "board_id": (form.get("board_id") or "").strip()[:40],
              "licence_id": (form.get("licence_id") or "").strip()[:40],
              "pars_consent": bool(form.get("pars_consent"))}
    if values["board"] not in BOARDS:
        problems.append(FieldError("board", "Choose ABIM, ABP, another board or none."))
    elif values["board"] and not values["board_id"]:
        problems.append(FieldError("board_id", "Give your board ID, or choose no board."))
    month = day = None
    try:
        month = int(form["birth_month"]) if form.get("birth_month") else None
        day = int(form["birth_day"]) if form.get("birth_day") else None
        if (month is None) != (day is None) or (month and not (1 <= month <= 12 and 1 <= day <= DAYS[month])):
            raise ValueError
    except ValueError:
        problems.append(FieldError("birth_day", "Give a real birth month and day, or neither."))
    if values["pars_consent"] and not (values["board_id"] or values["licence_id"]):
        problems.append(FieldError("board_id", "Give a board id or licence number to have your credit reported."))
    collect(problems)
    values.update(birth_month=month, birth_day=day, consent_at=clock.now() if values["pars_consent"] else None)
    # one profile per person, even when the form is sent twice at once
    await upsert(CmeProfile(user=principal.user_id, **values), CmeProfile.user,
                 [getattr(CmeProfile, name) for name in values])
