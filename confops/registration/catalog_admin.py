"""Staff edits of what an event sells: category prices and capacity, add-ons, questions, codes
(scholarship codes issued to named people). Every edit calls catalog_changed in the same
transaction, so each process's catalog cache reloads on its next read (catalog.py)."""

from __future__ import annotations

from datetime import datetime

from confops.accounts.service import email_problem, normalize_email
from confops.core.errors import Conflict, FieldError, NotFound, collect
from confops.db import insert_or_ignore, transaction
from confops.registration.catalog import catalog_changed
from confops.registration.intake import text_problem
from confops.registration.tables import AddOn, Category, CodeKind, DiscountCode, Question

MAX_CENTS = 10_000_000


def _cents(problems: list[FieldError], field: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_CENTS:
        problems.append(FieldError(field, "Enter an amount from 0 to 100,000.00."))
        return 0
    return value


def _capacity(problems: list[FieldError], field: str, value: object, sold: int) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        problems.append(FieldError(field, "Enter a whole number, or leave empty for no limit."))
        return None
    if value < sold:
        problems.append(FieldError(field, f"{sold} places are already sold; the capacity cannot be lower."))
    return value


async def update_category(event_id: int, code: str, *, early_cents: int, regular_cents: int, late_cents: int,
                          capacity: int | None) -> None:
    row = await Category.select().where((Category.event == event_id) & (Category.code == code)).first()
    if row is None:
        raise NotFound("There is no such category.")
    problems: list[FieldError] = []
    values = {Category.early_cents: _cents(problems, "early_cents", early_cents),
              Category.regular_cents: _cents(problems, "regular_cents", regular_cents),
              Category.late_cents: _cents(problems, "late_cents", late_cents),
              Category.capacity: _capacity(problems, "capacity", capacity, row["sold"])}
    collect(problems)
    async with transaction():
        from confops.registration import capacity as places
        from confops.registration.paid_waiting import serve

        await places.lock_event(event_id)  # the event before the category, as every order takes them
        await Category.update(values).where(Category.id == row["id"])
        await serve(event_id, 0)  # a larger category may place a paid order waiting for one
        await catalog_changed(event_id)


async def update_addon(event_id: int, code: str, *, price_cents: int, capacity: int | None) -> None:
    row = await AddOn.select().where((AddOn.event == event_id) & (AddOn.code == code)).first()
    if row is None:
        raise NotFound("There is no such add-on.")
    problems: list[FieldError] = []
    values = {AddOn.price_cents: _cents(problems, "price_cents", price_cents),
              AddOn.capacity: _capacity(problems, "capacity", capacity, row["sold"])}
    collect(problems)
    async with transaction():
        await AddOn.update(values).where(AddOn.id == row["id"])
        await catalog_changed(event_id)


async def save_question(event_id: int, key: str, *, label: str, required: bool, choices: str) -> None:
    problems: list[FieldError] = []
    key = (key or "").strip()
    if not key.replace("_", "").isalnum() or len(key) > 40:
        problems.append(FieldError("key", "Use letters, digits and _ (at most 40)."))
    if msg := text_problem((label or "").strip(), 200, True):
        problems.append(FieldError("label", msg))
    if msg := text_problem(choices or "", 2000, False, True):
        problems.append(FieldError("choices", msg))
    collect(problems)
    async with transaction():
        updated = await Question.update({Question.label: label.strip(), Question.required: required,
                                         Question.choices: choices.strip()}).where(
            (Question.event == event_id) & (Question.key == key)).returning(Question.id)
        if not updated:
            position = await Question.count().where(Question.event == event_id)
            await Question.insert(Question(event=event_id, key=key, label=label.strip(), required=required,
                                           choices=choices.strip(), position=position))
        await catalog_changed(event_id)


async def issue_code(event_id: int, code: str, *, kind: str, percent: int = 0, amount_cents: int = 0,
                     max_uses: int | None = None, categories: str = "", expires_at: datetime | None = None,
                     issued_to_name: str = "", issued_to_email: str = "") -> int:
    """A discount code; with a name and e-mail it is a scholarship issued to that person."""
    problems: list[FieldError] = []
    code = (code or "").strip().upper()
    if not code or len(code) > 40 or not code.replace("-", "").replace("_", "").isalnum():
        problems.append(FieldError("code", "Use 1–40 letters, digits, - or _."))
    if kind not in {k.value for k in CodeKind}:
        problems.append(FieldError("kind", "Choose percent, fixed or free."))
    if kind == CodeKind.percent.value and not (isinstance(percent, int) and 1 <= percent <= 100):
        problems.append(FieldError("percent", "Enter a percentage from 1 to 100."))
    if kind == CodeKind.fixed.value:
        _cents(problems, "amount_cents", amount_cents)
    if max_uses is not None and (not isinstance(max_uses, int) or max_uses < 1):
        problems.append(FieldError("max_uses", "Enter at least 1, or leave empty for no limit."))
    known = {c["code"] for c in await Category.select(Category.code).where(Category.event == event_id)}
    wanted = [c.strip() for c in (categories or "").split(",") if c.strip()]
    if any(c not in known for c in wanted):
        problems.append(FieldError("categories", "Use the categories' codes: " + ", ".join(sorted(known))))
    name, email = (issued_to_name or "").strip(), normalize_email(issued_to_email or "")
    if msg := text_problem(name, 200, False):
        problems.append(FieldError("issued_to_name", msg))
    if email and (msg := email_problem(email)):
        problems.append(FieldError("issued_to_email", msg))
    collect(problems)
    async with transaction():
        # two staff adding one code at once get one code and a clear answer
        code_id = await insert_or_ignore(DiscountCode(
            event=event_id, code=code, kind=kind, percent=percent if kind == "percent" else 0,
            amount_cents=amount_cents if kind == "fixed" else 0, max_uses=max_uses, categories=",".join(wanted),
            expires_at=expires_at, issued_to_name=name, issued_to_email=email))
        if code_id is None:
            raise Conflict("That code exists already for this event.", code="code_exists", field="code")
        await catalog_changed(event_id)
    return code_id


async def catalog_rows(event_id: int) -> dict[str, list[dict]]:
    """What the event sells, as the staff catalog page lists it."""
    return {
        "categories": await Category.select().where(Category.event == event_id).order_by(Category.position),
        "addons": await AddOn.select().where(AddOn.event == event_id).order_by(AddOn.position),
        "questions": await Question.select().where(Question.event == event_id).order_by(Question.position),
        "codes": await DiscountCode.select().where(DiscountCode.event == event_id).order_by(DiscountCode.code),
    }
