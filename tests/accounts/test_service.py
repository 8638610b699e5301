import email
import email.policy
from datetime import timedelta

import pytest

from confops.accounts import service
from confops.accounts.tables import LoginLink, Organizer, RoleGrant, User
from confops.core import clock
from confops.core.auth import Role
from confops.core.errors import Invalid, InvalidCredentials
from confops.core.mail import FileMailer
from confops.core.outbox import deliver_due


async def _org():
    org = Organizer(slug="abs", name="ABS")
    await org.save()
    return org


async def test_create_user_validates_every_field_at_once(db):
    await _org()
    with pytest.raises(Invalid) as err:
        await service.create_user("nope", "", password="short", roles=[("missing", Role.admin)])
    assert set(err.value.field_messages()) == {"email", "display_name", "password", "organizer"}
    assert await User.count() == 0


async def test_create_user_is_idempotent_and_adds_roles(db):
    org = await _org()
    first = await service.create_user("A@Example.org", "A", password="long-enough-1", roles=[("abs", Role.registrar)])
    again = await service.create_user("a@example.org", "A", roles=[("abs", Role.registrar), ("abs", Role.checkin)])
    assert first.created and not again.created and first.id == again.id
    assert await RoleGrant.count().where(RoleGrant.user == first.id) == 2
    principal = await service.load_principal(first.id)
    assert principal.has(org.id, Role.checkin) and not principal.has(org.id, Role.cme_coordinator)
    assert principal.is_staff


async def test_password_is_hashed_with_argon2(db):
    await _org()
    user = await service.create_user("s@example.org", "S", password="correct horse battery")
    row = await User.select(User.password_hash).where(User.id == user.id).first()
    assert row["password_hash"].startswith("$argon2id$") and "correct" not in row["password_hash"]
    assert await service.authenticate("s@example.org", "correct horse battery") == user.id
    with pytest.raises(InvalidCredentials):
        await service.authenticate("s@example.org", "wrong")
    await User.update({User.active: False}).where(User.id == user.id)
    with pytest.raises(InvalidCredentials):
        await service.authenticate("s@example.org", "correct horse battery")


async def test_link_only_accounts_cannot_use_a_password(db):
    await _org()
    await service.create_user("l@example.org", "L")
    with pytest.raises(InvalidCredentials):
        await service.authenticate("l@example.org", "")


async def test_login_links_are_single_use_and_stored_hashed(db, tmp_path):
    await _org()
    await service.create_user("p@example.org", "P")
    assert await service.request_login_link("p@example.org", base_url="https://x", valid_minutes=5)
    assert await deliver_due(FileMailer(tmp_path, "events@example.org")) == 1
    (eml,) = tmp_path.glob("*.eml")
    message = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    token = message.get_body(("plain",)).get_content().split("/login/link/")[1].split()[0]
    stored = await LoginLink.select(LoginLink.token_hash).first()
    assert token not in stored["token_hash"]
    user_id, next_path = await service.consume_login_link(token)
    assert next_path == "/account"
    with pytest.raises(InvalidCredentials):
        await service.consume_login_link(token)


async def test_purge_drops_only_long_expired_links(db):
    await _org()
    user = await service.create_user("q@example.org", "Q")
    now = clock.now()
    await LoginLink(user=user.id, token_hash="a" * 64, next_path="/", expires_at=now - timedelta(days=2)).save()
    await LoginLink(user=user.id, token_hash="b" * 64, next_path="/", expires_at=now - timedelta(hours=1)).save()
    assert await service.purge_expired_login_links() == 1
    assert await LoginLink.count() == 1
