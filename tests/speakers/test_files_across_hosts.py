"""A speaker's photo and slides uploaded through one host download through another: two app
instances with separate var folders on one database and one S3-compatible bucket (moto).
On one host's disk, host B answered 404 for what host A had just stored."""

import dataclasses
from datetime import timedelta

from confops.core import clock
from confops.events.tables import Session
from confops.speakers.tables import Speaker
from tests.speakers.people import sign_in
from tests.speakers.test_portal import SLUG, _png
from tests.support.http import csrf_token, running


async def test_an_upload_on_one_host_downloads_on_the_other(settings, tmp_path, s3_bucket, demo):
    from confops.app import create_app

    host_a = create_app(dataclasses.replace(settings, var_dir=tmp_path / "a", **s3_bucket))
    host_b = create_app(dataclasses.replace(settings, var_dir=tmp_path / "b", **s3_bucket))
    w7 = await Session.select().where((Session.code == "W7") & (Session.event.slug == SLUG)).first()
    me = await Speaker.select().where(Speaker.email == "olga@example.org").first()
    async with running(host_a) as a, running(host_b) as b:
        await sign_in(a, "olga@example.org")
        token = csrf_token(a)
        assert (await a.post("/speaker/photo", data={"_csrf_token": token},
                             files={"photo": ("me.png", _png(), "image/png")})).status_code == 303
        pdf = b"%PDF-1.4\n%slides\n" + b"0" * 300_000
        r = await a.post(f"/speaker/sessions/{w7['id']}/materials", data={"_csrf_token": token, "share": "on"},
                         files={"file": ("slides.pdf", pdf, "application/pdf")})
        assert r.status_code == 303

        photo = await b.get(f"/speakers/{me['id']}/photo")
        assert photo.status_code == 200 and photo.content == (await a.get(f"/speakers/{me['id']}/photo")).content
        assert photo.headers["content-type"] == "image/jpeg"

        # the slides: same access rule on host B (signed-in registrant, after the session)
        await sign_in(b, "olga@example.org")
        with clock.frozen_at(w7["ends_at"] + timedelta(minutes=1)):
            page = (await b.get(f"/events/{SLUG}/sessions/{w7['id']}")).text
            link = next(part.split('"')[0] for part in page.split('href="') if "/materials/" in part)
            got = await b.get(link)
            assert got.status_code == 200 and got.content == pdf
            assert got.headers["content-length"] == str(len(pdf))
            b.cookies.clear()
            assert (await b.get(link)).status_code == 303  # not signed in: no file from this host either
    assert not (tmp_path / "a" / "uploads").exists() and not (tmp_path / "b" / "uploads").exists()
