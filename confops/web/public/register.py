"""Registration pages (no JavaScript): form -> review -> confirmation link; waitlist when full."""

from __future__ import annotations

import secrets

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import PUBLIC
from confops.core.errors import Conflict, Invalid
from confops.registration import orders, waitlist
from confops.registration.catalog import load_catalog
from confops.registration.intake import (
    AGE_BANDS,
    DEMOGRAPHIC_FIELDS,
    PROFESSIONS,
    PRONOUN_CHOICES,
    TEXT_FIELDS,
    AttendeeIn,
    OrderIn,
)
from confops.web.render import page


def _form_values(form) -> dict[str, str]:
    return {k: str(v) for k, v in form.items() if k != "_csrf_token"}


def order_from_form(values: dict[str, str]) -> OrderIn:
    """One attendee who is also the buyer (group orders go through the API or staff)."""
    fields = {name: values.get(name, "") for name in TEXT_FIELDS}
    if fields["pronouns"] == "other":
        fields["pronouns"] = values.get("pronouns_other", "")
    addons: dict[str, int] = {}
    for key, raw in values.items():
        if key.startswith("addon_") and raw.strip():
            try:
                qty = int(raw)
            except ValueError:
                qty = -1
            if qty != 0:
                addons[key[len("addon_"):]] = qty
    answers = {k[len("answer_"):]: v for k, v in values.items() if k.startswith("answer_")}
    demographics = {k: values.get(f"demo_{k}", "") for k in DEMOGRAPHIC_FIELDS} \
        if values.get("demo_consent") == "1" else {}
    attendee = AttendeeIn(category=values.get("category", ""), email=values.get("email", ""), addons=addons,
                          answers=answers, demographics=demographics, **fields)
    name = f"{fields['first_name']} {fields['last_name']}".strip()
    return OrderIn(buyer_name=name or "-", buyer_email=values.get("email", ""), attendees=[attendee],
                   idempotency_key=values.get("form_token", ""), code=values.get("code", ""),
                   offer_token=values.get("offer", ""))


def _errors(exc: Invalid) -> dict[str, str]:
    """attendees[0].email -> email, so messages sit next to the single form's fields."""
    out = {}
    for e in exc.errors:
        key = e.field.replace("attendees[0].", "").replace("addons.", "addon_").replace("answers.", "answer_").replace(
            "demographics.", "demo_")
        key = {"buyer_email": "email", "buyer_name": "first_name"}.get(key, key)
        out.setdefault(key, e.message)
    return out


class RegisterPages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    async def _form(self, request: Request, slug: str, values: dict, errors: dict, status: int = 200,
                    problem: str = "") -> Template:
        catalog = await load_catalog(slug)
        return page(request, "register/form.html", status_code=status, catalog=catalog, v=values, errors=errors,
                    problem=problem, pronouns=PRONOUN_CHOICES, professions=PROFESSIONS, age_bands=AGE_BANDS,
                    closed=catalog.window_problem())

    @get("/events/{slug:str}/register")
    async def form(self, request: Request, slug: FromPath[str], offer: FromQuery[str] = "") -> Template:
        values = {"form_token": secrets.token_urlsafe(16), "offer": offer[:100]}
        return await self._form(request, slug, values, {})

    @post("/events/{slug:str}/register")
    async def submit(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        values = _form_values(await request.form())
        order = order_from_form(values)
        try:
            if values.get("action") != "confirm":
                catalog, quote, _code = await orders.quote(slug, order)
                return page(request, "register/review.html", catalog=catalog, quote=quote, v=values,
                            order=order)
            settings = request.app.state.settings
            placed = await orders.place_order(slug, order, hold_minutes=settings.order_hold_minutes,
                                              base_url=settings.base_url)
        except Invalid as exc:
            return await self._form(request, slug, values, _errors(exc), 422)
        except Conflict as exc:
            return await self._form(request, slug, values, {exc.code: exc.detail}, 409, problem=exc.detail)
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
