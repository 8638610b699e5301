"""Registration pages (no JavaScript): form -> review -> confirmation link; waitlist when full."""

from __future__ import annotations

import re
import secrets

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core import metrics
from confops.core.auth import PUBLIC
from confops.core.errors import Conflict, Invalid, collect
from confops.payments.billing import cleaned as cleaned_billing
from confops.payments.billing import problems as billing_problems
from confops.payments.billing import save_billing
from confops.registration import orders, terms, waitlist
from confops.registration.catalog import load_catalog
from confops.registration.config import CONFIG
from confops.registration.intake import (
    PROFESSIONS,
    PRONOUN_CHOICES,
    TEXT_FIELDS,
    AttendeeIn,
    OrderIn,
)
from confops.web.render import page


def _form_values(form) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "_csrf_token"}


MAX_FORM_ATTENDEES = 20
EXTRA_FIELDS = ("first_name", "last_name", "email", "badge_name", "credentials", "institution")


def extra_count(values: dict[str, str]) -> int:
    """How many attendees the form has besides the first (no JavaScript: "Add another
    attendee" posts the form back with one more block)."""
    try:
        return max(0, min(MAX_FORM_ATTENDEES - 1, int(values.get("extra", "0") or 0)))
    except ValueError:
        return 0


def _addons_and_answers(values: dict[str, str], prefix: str) -> tuple[dict[str, int], dict[str, str]]:
    addons: dict[str, int] = {}
    answers: dict[str, str] = {}
    for key, raw in values.items():
        if not key.startswith(prefix):
            continue
        name = key[len(prefix):]
        if name.startswith("addon_") and raw.strip():
            try:
                qty = int(raw)
            except ValueError:
                qty = -1
            if qty != 0:
                addons[name[len("addon_"):]] = qty
        elif name.startswith("answer_"):
            answers[name[len("answer_"):]] = raw
    return addons, answers


def order_from_form(values: dict[str, str]) -> OrderIn:
    """The first attendee's fields are unprefixed; more attendees use `a1_…`, `a2_…`. The buyer
    is the first attendee unless buyer_name/buyer_email say someone else pays (a buyer who may
    not attend)."""
    fields = {name: values.get(name, "") for name in TEXT_FIELDS}
    if fields["pronouns"] == "other":
        fields["pronouns"] = values.get("pronouns_other", "")
    addons, answers = _addons_and_answers({k: v for k, v in values.items() if not re.match(r"a\d+_", k)}, "")
    people = [AttendeeIn(category=values.get("category", ""), email=values.get("email", ""), addons=addons,
                         answers=answers, **fields)]
    for i in range(1, extra_count(values) + 1):
        prefix = f"a{i}_"
        more_addons, more_answers = _addons_and_answers(values, prefix)
        people.append(AttendeeIn(category=values.get(prefix + "category", ""), addons=more_addons,
                                 answers=more_answers,
                                 **{f: values.get(prefix + f, "") for f in EXTRA_FIELDS}))
    name = f"{fields['first_name']} {fields['last_name']}".strip()
    buyer_email = values.get("buyer_email", "").strip()
    buyer_name = values.get("buyer_name", "").strip() if buyer_email else (name or "-")
    return OrderIn(buyer_name=buyer_name, buyer_email=buyer_email or values.get("email", ""), attendees=people,
                   idempotency_key=values.get("form_token", ""), code=values.get("code", ""),
                   offer_token=values.get("offer", ""), pay_by=values.get("pay_by", "")[:20])


def pay_choices() -> dict[str, str]:
    """What the buyer may choose on the review page: card only when Stripe is set up."""
    return {**({terms.CARD: "Card, now (places held for a short while)"} if CONFIG.cards else {}),
            **{k: f"{v} (places held until the payment term's due date)" if k != "door" else
               "Pay at the door (places held until the event)" for k, v in terms.MANUAL.items()}}


def _errors(exc: Invalid, values: dict[str, str] | None = None) -> dict[str, str]:
    """attendees[0].email -> email and attendees[2].email -> a2_email, so each message sits
    next to its field on the form."""
    separate_buyer = bool((values or {}).get("buyer_email", "").strip())
    out = {}
    for e in exc.errors:
        key = e.field.replace("addons.", "addon_").replace("answers.", "answer_")
        if match := re.match(r"attendees\[(\d+)\]\.(.*)", key):
            index, rest = int(match.group(1)), match.group(2)
            key = rest if index == 0 else f"a{index}_{rest}"
        if not separate_buyer:
            key = {"buyer_email": "email", "buyer_name": "first_name"}.get(key, key)
        out.setdefault(key, e.message)
    return out


class RegisterPages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    async def _form(self, request: Request, slug: str, values: dict, errors: dict, status: int = 200,
                    problem: str = "") -> Template:
        catalog = await load_catalog(slug, live=True)
        return page(request, "register/form.html", status_code=status, catalog=catalog, v=values, errors=errors,
                    problem=problem, extra=extra_count(values), pronouns=PRONOUN_CHOICES, professions=PROFESSIONS,
                    closed=catalog.window_problem())

    @get("/events/{slug:str}/register")
    async def form(self, request: Request, slug: FromPath[str], offer: FromQuery[str] = "") -> Template:
        values = {"form_token": secrets.token_urlsafe(16), "offer": offer[:100]}
        return await self._form(request, slug, values, {})

    @post("/events/{slug:str}/register")
    async def submit(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        values = _form_values(await request.form())
        action = values.get("action", "")
        if action in ("add", "remove"):
            values["extra"] = str(max(0, extra_count(values) + (1 if action == "add" else -1)))
            return await self._form(request, slug, values, {})
        order = order_from_form(values)
        billing = cleaned_billing(values)
        try:
            collect(billing_problems(billing))  # before anything is written
            if action != "confirm":
                catalog, quote, _code = await orders.quote(slug, order)
                return page(request, "register/review.html", catalog=catalog, quote=quote, v=values,
                            order=order, pay_choices=pay_choices(), pay_default=terms.default_method(CONFIG.cards))
            settings = request.app.state.settings
            placed = await orders.place_order(slug, order, hold_minutes=settings.order_hold_minutes,
                                              base_url=settings.base_url)
        except Invalid as exc:
            return await self._form(request, slug, values, _errors(exc, values), 422)
        except Conflict as exc:
            return await self._form(request, slug, values, {exc.code: exc.detail}, 409, problem=exc.detail)
        if placed.created:
            metrics.inc("confops_orders_placed_total")
            if any(billing.values()) and placed.total_cents:
                await save_billing(placed.id, billing)
        return Redirect(f"/orders/{placed.id}?token={placed.token}", status_code=303)

    @post("/events/{slug:str}/register/edit")
    async def back_to_form(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._form(request, slug, _form_values(await request.form()), {})

    @post("/events/{slug:str}/waitlist")
    async def join(self, request: Request, slug: FromPath[str]) -> Template:
        values = _form_values(await request.form())
        catalog = await load_catalog(slug)
        try:
            await waitlist.join_waitlist(slug, values.get("name", ""), values.get("email", ""))
        except Invalid as exc:
            return page(request, "register/waitlist.html", status_code=422, catalog=catalog, v=values,
                        errors=exc.field_messages(), joined=False)
        return page(request, "register/waitlist.html", catalog=catalog, v=values, errors={}, joined=True)
