"""ACCME's PARS: what an activity reports beyond its designation (the provider's own activity id,
the PARS activity type, providership with the joint providers, commercial support, the MOC
points registered with ABIM and ABP), and the two batch files ACCME's import takes, one row per
activity and one per learner completion, with the columns of ACCME's batch-upload templates.

Dates are written MM/DD/YYYY as those templates ask. A learner's completion date is the
activity's end, whenever the learner claimed. MOC columns appear only for a board the activity
is registered with; a learner's MOC points go to the board their id belongs to, never above
the activity's MOC points or their own claim."""

from __future__ import annotations

import json
import re

from confops.cme.access import staff_event
from confops.cme.credit_types import CREDIT_TYPES, is_md_or_do
from confops.cme.designation import activity_of, session_credits
from confops.cme.rules import derived_maximum, format_credit, parse_credit
from confops.cme.tables import CmeClaim, CmeProfile, CmeReporting
from confops.core import clock, csv_export
from confops.core.auth import Principal
from confops.core.errors import FieldError, collect
from confops.core.extension import emit
from confops.db import transaction, upsert
from confops.events.event_form import amount_cents

# PARS activity types (ACCME's list), and the one a learning format usually is.
ACTIVITY_TYPES = {
    "course": "Course",
    "rss": "Regularly scheduled series",
    "internet_live": "Internet live course",
    "enduring": "Enduring material",
    "internet_enduring": "Internet enduring material",
    "journal": "Journal-based CME",
    "committee": "Committee learning",
    "performance_improvement": "Performance improvement",
    "learning_from_teaching": "Learning from teaching",
    "other": "Other",
}
TYPE_FOR_FORMAT = {"live": "course", "online": "internet_live", "enduring": "internet_enduring"}
PROVIDERSHIP = {"direct": "Directly provided", "joint": "Jointly provided"}
SUPPORT_KINDS = {"monetary": "Monetary", "in_kind": "In-kind"}
BOARDS = {"abim": "ABIM", "abp": "ABP"}
MOC_COLUMN = {"abim": "moc_abim_quarters", "abp": "moc_abp_quarters"}
_ACTIVITY_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
MAX_SUPPORTERS = 20


def _supporters(raw) -> list[dict]:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return list(data or [])


async def reporting_of(event: dict, activity: dict | None = None) -> dict:
    """The saved reporting row, or what it would be by default (the event's slug as its id, the
    type its format suggests, directly provided, no commercial support, no MOC)."""
    row = await CmeReporting.select().where(CmeReporting.event == event["id"]).first()
    if row is None:
        activity = activity or await activity_of(event)
        row = {"activity_id": event["slug"][:40], "activity_type": TYPE_FOR_FORMAT.get(activity["learning_format"],
                                                                                        "course"),
               "providership": "direct", "joint_providers": "", "commercial_support": [],
               "moc_abim_quarters": 0, "moc_abp_quarters": 0, "saved": False}
    else:
        row = {**row, "saved": True}
    row["commercial_support"] = _supporters(row["commercial_support"])
    row["joint_provider_list"] = [p for p in (row["joint_providers"] or "").splitlines() if p.strip()]
    row["moc"] = {board: row[column] for board, column in MOC_COLUMN.items() if row[column]}
    return row


def _supporter_rows(form: dict, problems: list[FieldError]) -> list[dict]:
    out = []
    for n in range(1, MAX_SUPPORTERS + 1):
        name = (form.get(f"supporter_name_{n}") or "").strip()
        kind = form.get(f"supporter_kind_{n}") or "monetary"
        raw_amount = (form.get(f"supporter_amount_{n}") or "").strip()
        if not name and not raw_amount:
            continue
        if not name:
            problems.append(FieldError(f"supporter_name_{n}", "Name the commercial supporter."))
        if kind not in SUPPORT_KINDS:
            problems.append(FieldError(f"supporter_kind_{n}", "Choose monetary or in-kind."))
            continue
        cents = amount_cents(raw_amount, f"supporter_amount_{n}", problems)
        if kind == "monetary" and not cents and not any(p.field == f"supporter_amount_{n}" for p in problems):
            problems.append(FieldError(f"supporter_amount_{n}", "Give the amount of monetary support."))
        out.append({"name": name[:200], "kind": kind, "amount_cents": cents if kind == "monetary" else None})
    return out


async def save_reporting(principal: Principal, slug: str, form: dict) -> None:
    """Reported after the fact: unlike the designation it may be completed once claims exist."""
    event = await staff_event(principal, slug)
    activity = await activity_of(event)
    problems: list[FieldError] = []
    activity_id = (form.get("activity_id") or "").strip()
    if not _ACTIVITY_ID.match(activity_id):
        problems.append(FieldError("activity_id", "Up to 40 letters, digits, dots, dashes or underscores, "
                                                  "starting with a letter or digit."))
    activity_type = form.get("activity_type") or ""
    if activity_type not in ACTIVITY_TYPES:
        problems.append(FieldError("activity_type", "Choose the PARS activity type."))
    providership = form.get("providership") or ""
    joint = [p.strip()[:200] for p in (form.get("joint_providers") or "").splitlines() if p.strip()]
    if providership not in PROVIDERSHIP:
        problems.append(FieldError("providership", "Choose directly or jointly provided."))
    elif providership == "joint" and not joint:
        problems.append(FieldError("joint_providers", "Name the joint provider(s), one per line."))
    elif providership == "direct" and joint:
        problems.append(FieldError("joint_providers", "A directly provided activity has no joint providers: "
                                                      "choose jointly provided or clear this field."))
    supporters = _supporter_rows(form, problems)
    if form.get("commercial_support") == "yes" and not supporters:
        problems.append(FieldError("supporter_name_1", "Name at least one commercial supporter, or answer no."))
    if form.get("commercial_support") != "yes" and supporters:
        problems.append(FieldError("commercial_support", "Supporters are listed: answer yes, or clear them."))
    ama = next((t["quarters"] for t in activity["credit_types"] if t["type"] == "ama_pra_1"), 0)
    moc = {}
    for board, column in MOC_COLUMN.items():
        moc[column] = 0
        if not form.get(f"moc_{board}"):
            continue
        try:
            moc[column] = parse_credit(form.get(f"moc_{board}_points") or "0")
        except ValueError as exc:
            problems.append(FieldError(f"moc_{board}_points", str(exc)))
            continue
        if moc[column] <= 0:
            problems.append(FieldError(f"moc_{board}_points", f"Give the {BOARDS[board]} MOC points offered."))
        elif moc[column] > ama:
            problems.append(FieldError(f"moc_{board}_points", f"{BOARDS[board]} MOC points cannot exceed the "
                                                              f"{format_credit(ama)} AMA PRA Category 1 credits "
                                                              "designated."))
    collect(problems)
    values = {"activity_id": activity_id, "activity_type": activity_type, "providership": providership,
              "joint_providers": "\n".join(joint), "commercial_support": json.dumps(supporters), **moc}
    before = await reporting_of(event, activity)
    async with transaction():
        await upsert(CmeReporting(event=event["id"], **values), CmeReporting.event,
                     [getattr(CmeReporting, name) for name in values])
        await emit("staff_change", actor_id=principal.user_id, action="cme_pars_reporting", entity="event",
                   entity_id=event["id"], before={k: before[k] for k in ("activity_id", "providership")},
                   after={k: v for k, v in values.items()})


def _date(at, event: dict) -> str:
    return f"{clock.local(at, event['timezone']).date():%m/%d/%Y}"


def support_text(reporting: dict) -> str:
    """"None", or each supporter with what it gave, for people (the staff page)."""
    parts = [f"{s['name']} ({SUPPORT_KINDS[s['kind']].lower()}"
             + (f", ${s['amount_cents'] / 100:,.2f})" if s["amount_cents"] else ")")
             for s in reporting["commercial_support"]]
    return "; ".join(parts) or "None"


def providership_text(reporting: dict) -> str:
    text = PROVIDERSHIP[reporting["providership"]]
    return f"{text} with {'; '.join(reporting['joint_provider_list'])}" if reporting["joint_provider_list"] else text


async def _learner_counts(event_id: int) -> tuple[int, int]:
    """Physicians and other learners who completed (claimed credit), as PARS counts them."""
    claims = await CmeClaim.select(CmeClaim.attendee.credentials.as_alias("credentials")).where(
        CmeClaim.event == event_id)
    physicians = sum(1 for c in claims if is_md_or_do(c["credentials"]))
    return physicians, len(claims) - physicians


async def activity_file(event: dict) -> tuple[list[str], list[list]]:
    """The activity's row of ACCME's activity batch template."""
    activity = await activity_of(event)
    reporting = await reporting_of(event, activity)
    supporters = reporting["commercial_support"]
    headers = ["Provider Activity ID", "Activity Title", "Activity Type", "Start Date", "End Date", "City", "State",
               "Country", "Providership", "Joint Provider Name(s)", "Hours of Instruction",
               "AMA PRA Category 1 Credits Designated", "Physician Learners", "Other Learners",
               "Commercial Support Received"]
    online = activity["learning_format"] != "live" or event.get("online")
    ama = next((t["quarters"] for t in activity["credit_types"] if t["type"] == "ama_pra_1"), 0)
    physicians, others = await _learner_counts(event["id"])
    row = [reporting["activity_id"], event["title"], ACTIVITY_TYPES[reporting["activity_type"]],
           _date(event["starts_at"], event), _date(event["ends_at"], event),
           "" if online else event.get("city") or "", "" if online else event.get("region") or "",
           "" if online else event.get("country") or "", "Joint" if reporting["providership"] == "joint" else "Direct",
           "; ".join(reporting["joint_provider_list"]), format_credit(derived_maximum(await session_credits(event["id"]))),
           format_credit(ama), physicians, others, "Yes" if supporters else "No"]
    for n, s in enumerate(supporters, start=1):
        headers += [f"Commercial Supporter {n}", f"Support Type {n}", f"Monetary Amount {n}"]
        row += [s["name"], SUPPORT_KINDS[s["kind"]], f"{s['amount_cents'] / 100:.2f}" if s["amount_cents"] else ""]
    for board, quarters in reporting["moc"].items():
        headers.append(f"{BOARDS[board]} MOC Points")
        row.append(format_credit(quarters))
    return headers, [row]


async def learner_file(event: dict) -> tuple[list[str], list[list]]:
    """Consenting learners' completions, per ACCME's learner batch template. The learners, their
    accounts and profiles are read in one query each, not one per claim."""
    reporting = await reporting_of(event)
    claims = await CmeClaim.select(CmeClaim.credit_type, CmeClaim.quarters,
                                   CmeClaim.attendee.first_name.as_alias("first_name"),
                                   CmeClaim.attendee.last_name.as_alias("last_name"),
                                   CmeClaim.attendee.email.as_alias("email")).where(CmeClaim.event == event["id"])
    # The consenting profiles of this event's claimants, joined in the database (an IN list of
    # every claimant's e-mail is slow to build at thousands of claims).
    profiles = {p["email"]: p for p in await CmeProfile.raw(
        'SELECT u.email AS email, p.board_id AS board_id, p.board AS board, p.licence_id AS licence_id, '
        'p.birth_month AS birth_month, p.birth_day AS birth_day FROM cme_profile p '
        'JOIN account_user u ON u.id = p."user" WHERE p.pars_consent = {} AND u.email IN '
        '(SELECT a.email FROM cme_claim c JOIN registration_attendee a ON a.id = c.attendee WHERE c.event = {})',
        True, event["id"])}
    headers = ["Provider Activity ID", "First Name", "Last Name", "DOB Month", "DOB Day", "Board ID", "Licence",
               "Completion Date", "Credit Type", "Credits"] + [f"{BOARDS[b]} MOC Points" for b in reporting["moc"]]
    completed = _date(event["ends_at"], event)  # the activity's end, not the day the learner claimed
    rows = []
    for c in claims:
        p = profiles.get(c["email"])
        if not p or not (p["board_id"] or p["licence_id"]):
            continue
        physician_credit = c["credit_type"] in ("ama_pra_1", "aafp")
        moc = [format_credit(min(c["quarters"], q)) if physician_credit and p["board"] == b and p["board_id"] else ""
               for b, q in reporting["moc"].items()]
        rows.append([reporting["activity_id"], c["first_name"], c["last_name"], p["birth_month"] or "",
                     p["birth_day"] or "", p["board_id"], p["licence_id"], completed, CREDIT_TYPES[c["credit_type"]].name,
                     format_credit(c["quarters"]), *moc])
    return headers, sorted(rows, key=lambda r: (r[2], r[1]))


async def learner_csv(principal: Principal, slug: str) -> str:
    event = await staff_event(principal, slug)
    return csv_export.to_csv(*await learner_file(event))


async def activity_csv(principal: Principal, slug: str) -> str:
    event = await staff_event(principal, slug)
    return csv_export.to_csv(*await activity_file(event))
