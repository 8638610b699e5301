"""A renamed organizer is named anew on the next page and in the next e-mail, with no restart:
at once in the process that renamed it, and within `brands.KEEP_SECONDS` in every other one
(each process keeps the names it read; they once stayed until a restart)."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

from confops.accounts import brands, organizers
from confops.accounts.tables import Organizer
from confops.core.tables import OutboxMessage
from confops.registration.selfservice import cancel_order
from confops.registration.tables import Order

ROOT = Path(__file__).resolve().parents[2]
SLUG = "abs-national-meeting"
OLD, NEW = "American Balint Society", "Balint Society of the Americas"


async def _footer(client) -> str:
    return (await client.get(f"/events/{SLUG}")).text.split("<footer")[1]


async def test_a_renamed_organizer_is_named_anew_on_the_next_page_and_e_mail(client, demo):
    assert OLD in await _footer(client)
    await organizers.rename("abs", NEW)
    footer = await _footer(client)
    assert NEW in footer and OLD not in footer

    order = await Order.select().where(Order.status == "confirmed").first()
    await cancel_order(order)
    row = await OutboxMessage.select().where(OutboxMessage.dedupe_key == f"cancellation:{order['id']}").first()
    mail = json.loads(row["payload"])
    assert mail["brand"] == ["abs", NEW] and NEW in mail["html"] and OLD not in mail["text"]


async def test_a_name_another_process_changed_is_read_again_once_kept_long_enough(client, db, demo, monkeypatch,
                                                                                 tmp_path):
    assert OLD in await _footer(client)
    # Another process renames (the command line here; another worker, /admin): this one is not told.
    done = await asyncio.to_thread(
        subprocess.run, [sys.executable, "-m", "confops.cli", "organizer-name", "abs", NEW], cwd=ROOT,
        env={**os.environ, "CONFOPS_DATABASE_URL": db.url, "CONFOPS_VAR_DIR": str(tmp_path),
             "CONFOPS_ENV": "development"}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (await Organizer.select(Organizer.name).where(Organizer.slug == "abs").first())["name"] == NEW
    assert OLD in await _footer(client)  # this process still answers from what it read
    monkeypatch.setattr(brands, "KEEP_SECONDS", 0.0, raising=False)  # as if the names were read that long ago
    assert NEW in await _footer(client)


async def test_a_rename_is_checked(demo):
    import pytest

    from confops.core.errors import Invalid, NotFound

    with pytest.raises(Invalid):
        await organizers.rename("abs", "   ")
    with pytest.raises(Invalid):
        await organizers.rename("abs", "x" * 201)
    with pytest.raises(NotFound):
        await organizers.rename("nobody", "A Society")
    assert (await brands.of("abs")).name == OLD
