"""Demo back office: a fuller national meeting (registrations over the last weeks, dietary and
access needs, cheque payments, consented demographics) and one mailing-list subscriber.
Idempotent: orders by idempotency key, the rest only when absent."""

from __future__ import annotations

from datetime import timedelta

from confops.accounts.tables import Organizer
from confops.backoffice.tables import ListStatus, MailingListMember
from confops.core import clock
from confops.core.errors import DomainError
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments.service import record_manual_payment
from confops.registration.config import CONFIG
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.order_decision import scoped_key
from confops.registration.orders import place_order
from confops.registration.tables import Attendee, Demographics, Order, OrderStatus

# first, last, category, profession, dietary, accessibility, add-ons, days ago, paid
PEOPLE = [
    ("Amara", "Okafor", "member", "physician", "vegetarian", "", {"banquet": 1}, 40, True),
    ("Ben", "Carter", "non_member", "psychologist", "", "", {}, 35, True),
    ("Chloe", "Dubois", "member", "social_worker", "gluten free", "step-free access please", {"banquet": 1}, 33, True),
    ("Diego", "Santos", "resident", "resident", "vegetarian", "", {}, 30, True),
    ("Eun", "Park", "member", "physician", "", "", {"workshop": 1}, 26, True),
    ("Fatima", "Haddad", "member_trainee", "resident", "halal", "", {}, 21, True),
    ("Gus", "Lindqvist", "non_member", "nurse", "", "hearing loop", {"banquet": 1}, 18, True),
    ("Hana", "Sato", "member", "psychologist", "vegan", "", {"book": 1}, 12, True),
    ("Ivan", "Petrov", "resident", "resident", "", "", {}, 7, True),
    ("Jo", "Mensah", "non_member", "counselor", "nut allergy", "", {"banquet": 1}, 3, False),
]
# consented demographics of the national meeting: (professional role, gender, age band) x n
DEMOGRAPHICS = [("Physician", "Woman", "35-49", 4), ("Physician", "Man", "50-64", 3),
                ("Psychologist", "Woman", "35-49", 3), ("Psychologist", "Man", "25-34", 2),
                ("Social worker", "Woman", "25-34", 2), ("Nurse", "Non-binary", "65+", 1)]


async def load_backoffice_demo() -> int:
    created = 0
    event = await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first()
    org = await Organizer.select(Organizer.id).where(Organizer.slug == "abs").first()
    if event is None or org is None:
        return 0
    last_mail = await OutboxMessage.select(OutboxMessage.id).order_by(OutboxMessage.id, ascending=False).first()
    for n, (first, last, cat, prof, diet, access, addons, days_ago, paid) in enumerate(PEOPLE, start=1):
        key = f"demo-bo-{n}"
        if await Order.exists().where(Order.idempotency_key == scoped_key(event["id"], key)):
            continue
        email = f"{first.lower()}.{last.lower()}@example.org"
        try:
            placed = await place_order("abs-national-meeting", OrderIn(
                buyer_name=f"{first} {last}", buyer_email=email, idempotency_key=key, attendees=[AttendeeIn(
                    category=cat, email=email, first_name=first, last_name=last, profession=prof, dietary=diet,
                    accessibility=access, addons=addons, answers={"first_meeting": "no" if n % 3 else "yes"})]),
                hold_minutes=CONFIG.hold_minutes, base_url=CONFIG.base_url)
        except DomainError:  # registration closed on an old demo database
            continue
        if not placed.created:  # placed by an earlier load
            continue
        created += 1
        when = clock.now() - timedelta(days=days_ago)
        await Order.update({Order.created_at: when}).where(Order.id == placed.id)
        await Attendee.update({Attendee.created_at: when}).where(Attendee.order == placed.id)
        if paid and placed.status != OrderStatus.confirmed.value:
            await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents,
                                        reference=f"Cheque {1000 + n}", recorded_by=None)
    # Demo people are invented: their confirmation e-mails are not sent.
    await OutboxMessage.delete().where(OutboxMessage.id > (last_mail["id"] if last_mail else 0))
    if not await Demographics.exists().where(Demographics.event == event["id"]):
        rows = [Demographics(event=event["id"], professional_role=role, gender=gender, age_band=age,
                             race_ethnicity="", recorded_on=clock.now().date())
                for role, gender, age, count in DEMOGRAPHICS for _ in range(count)]
        await Demographics.insert(*rows)
        created += len(rows)
    if not await MailingListMember.exists().where(MailingListMember.email == "friend@example.org"):
        await MailingListMember(organizer=org["id"], email="friend@example.org", name="Friend of ABS",
                                status=ListStatus.subscribed.value, token="demo-friend-token",
                                confirmed_at=clock.now()).save()
        created += 1
    return created
