"""The `confops` command."""

from __future__ import annotations

import asyncio
import os
import sys

import click

from confops.cli_operations import ends_without_finalizing
from settings import SettingsError, load_settings


def _settings():
    from confops.checkin.keys import accept_old_secrets

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from exc
    accept_old_secrets(settings.old_secret_keys)
    return settings


def _engine(settings):
    from confops.db import make_engine, use_engine

    engine = make_engine(settings.database_url)
    use_engine(engine)
    return engine


@click.group(help="confops: conference registration and event operations.\n\n"
             "Settings come from CONFOPS_* environment variables (see README.md).")
def main() -> None:
    from confops.core.logs import configure_logging

    fmt, level = _log_settings()
    configure_logging(fmt, level)


def _log_settings() -> tuple[str, str]:
    """Read before the full settings (which may be invalid, and say so in the log)."""
    fmt = os.environ.get("CONFOPS_LOG_FORMAT", "").strip().lower()
    level = os.environ.get("CONFOPS_LOG_LEVEL", "").strip().upper()
    return (fmt if fmt in {"json", "text"} else "json",
            level if level in {"DEBUG", "INFO", "WARNING", "ERROR"} else "INFO")


def _metrics_folder(settings, port: int, workers: int) -> None:
    """Several server processes on this host add up their metrics through a folder of their
    own (core/metrics.py), emptied at each start."""
    import shutil

    if workers < 2:
        os.environ.pop("CONFOPS_METRICS_DIR", None)
        return
    folder = settings.var_dir / "metrics" / str(port)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    os.environ["CONFOPS_METRICS_DIR"] = str(folder)


@main.command(help="Apply pending database migrations (SQLite or PostgreSQL, from CONFOPS_DATABASE_URL).")
def migrate() -> None:
    from confops.db import migrate as run_migrations

    settings = _settings()
    applied, total = asyncio.run(run_migrations(_engine(settings)))
    done = f"Applied {applied} of {total} migrations." if applied else f"All {total} migrations were already applied."
    click.echo(f"Database is up to date. {done}")


@main.command(help="Load the demo American Balint Society with its meetings, speakers and staff. "
              "Idempotent: running it again changes nothing. Refused in production.")
def demo() -> None:
    from confops.demo.abs import DEMO_PASSWORD, load_demo

    settings = _settings()
    if settings.production:
        raise click.ClickException("The demo data has known passwords and is refused in production.")
    _engine(settings)
    result = asyncio.run(load_demo())
    click.echo(f"Demo loaded: {result.created} rows created, {result.existing} already present.")
    where = (f"{settings.base_url}/staff/login" if os.environ.get("CONFOPS_BASE_URL", "").strip()
             else "/staff/login on the address `confops serve` prints")
    click.echo(f"Staff sign-in at {where}: admin@example.org / {DEMO_PASSWORD} "
               "(an admin sets up an authenticator app at the first sign-in: scan the code shown, enter "
               "its 6 digits, keep the recovery codes); registrar@, checkin@ and cme@example.org use the "
               "same password without a second factor. Attendees and speakers (morgan@, maya@example.org, "
               "see the README) sign in at /login with an e-mailed link, written under var/mail/.")


@main.command(help="Serve the web application.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes; sessions are kept in the database (or Redis), so any number works.")
@click.option("--server", type=click.Choice(["uvicorn", "granian"]), default="uvicorn", show_default=True)
def serve(host: str, port: int, workers: int, server: str) -> None:
    from settings import production_problems

    if not os.environ.get("CONFOPS_BASE_URL", "").strip() and os.environ.get("CONFOPS_ENV", "") != "production":
        # Development without a configured public URL: e-mailed links, QR codes and calendar
        # URLs point at the address served here (workers inherit the environment).
        shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host
        os.environ["CONFOPS_BASE_URL"] = f"http://{'[' + shown + ']' if ':' in shown else shown}:{port}"
    settings = _settings()
    if settings.production and (problems := production_problems(settings, workers)):
        raise click.ClickException("Invalid configuration:\n  - " + "\n  - ".join(problems))
    from confops.core.logs import dict_config

    click.echo(f"confops on http://{host}:{port} ({settings.env}, {workers} worker(s), "
               f"database {settings.database_url.split('@')[-1]})")
    _metrics_folder(settings, port, workers)
    log_config = dict_config(settings.log_format, settings.log_level)
    if server == "granian":
        from granian import Granian
        from granian.constants import Interfaces

        Granian("confops.app:create_app", address=host, port=port, workers=workers,
                interface=Interfaces.ASGI, factory=True, log_dictconfig=log_config).serve()
    else:
        import uvicorn

        # X-Forwarded-For/-Proto are believed only from CONFOPS_TRUSTED_PROXIES (none by default).
        uvicorn.run("confops.app:create_app", factory=True, host=host, port=port, workers=workers,
                    log_config=log_config, access_log=False, proxy_headers=bool(settings.trusted_proxies),
                    forwarded_allow_ips=settings.trusted_proxies or "")


@main.command(help="Create a staff or other user, or add roles to an existing one.")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--organizer", default="abs", show_default=True, help="Organizer slug the roles apply to.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["admin", "registrar", "checkin", "cme_coordinator", "speaker", "attendee"]),
              help="Repeat for several roles.")
@click.option("--password", default=None, help="Staff password; prompted for when a staff role is given.")
def createuser(email: str, display_name: str, organizer: str, roles: tuple[str, ...], password: str | None) -> None:
    from confops.accounts.service import create_user
    from confops.core.auth import STAFF_ROLES, Role
    from confops.core.errors import Invalid

    settings = _settings()
    _engine(settings)
    wanted = [Role(r) for r in roles]
    if password is None and any(r in STAFF_ROLES for r in wanted):
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        result = asyncio.run(create_user(email, display_name, password=password,
                                         roles=[(organizer, r) for r in wanted]))
    except Invalid as exc:
        raise click.ClickException("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from exc
    verb = "Created" if result.created else "Updated"
    click.echo(f"{verb} {result.email} with roles {', '.join(roles)} at {organizer}.")


@main.command(name="organizer-name", help="Rename the organizer: every page and e-mail about its events says the "
              "new name, in every running process within a minute.")
@click.argument("organizer")
@click.argument("name")
@ends_without_finalizing
def organizer_name(organizer: str, name: str) -> None:
    from confops.accounts.organizers import rename
    from confops.core.errors import DomainError

    _engine(_settings())
    try:
        asyncio.run(rename(organizer, name))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{organizer} is now called {' '.join(name.split())}.")


@main.command(name="organizer-logo", help="Set the organizer's logo (PNG or JPEG, at most 512 kB), shown on "
              "every page and in every e-mail in place of the society's mark.")
@click.argument("organizer")
@click.argument("image", type=click.Path(exists=True, dir_okay=False))
@ends_without_finalizing
def organizer_logo(organizer: str, image: str) -> None:
    from pathlib import Path

    from confops.core.errors import DomainError
    from confops.core.storage import storage_from
    from confops.events.branding import set_logo

    settings = _settings()
    _engine(settings)
    try:
        key = asyncio.run(set_logo(organizer, Path(image).read_bytes(), storage_from(settings)))
    except DomainError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"The logo of {organizer} is now {key}.")


@main.command(name="reset-second-factor",
              help="Remove a person's second factor and recovery codes (they lost both) and sign them out "
                   "everywhere; they set up a new one at their next sign-in.")
@click.argument("email")
def reset_second_factor(email: str) -> None:
    from confops.accounts import second_factor, sessions
    from confops.accounts.tables import User

    settings = _settings()
    _engine(settings)

    async def reset() -> bool:
        sessions.configure(settings.redis_url, hours=settings.session_hours)
        if not await second_factor.reset(email):
            return False
        user = await User.select(User.id).where(User.email == email.strip().lower()).first()
        await sessions.end_all(user["id"])
        return True

    if not asyncio.run(reset()):
        raise click.ClickException(f"There is no account with the e-mail {email}.")
    click.echo(f"The second factor of {email} was removed and every session ended.")


@main.command(help="Run background jobs (use with CONFOPS_IN_APP_WORKER=0 when scaled out).")
@click.option("--once", is_flag=True, help="Run every job once and exit.")
def worker(once: bool) -> None:
    from confops.core.mail import make_mailer
    from confops.core.storage import storage_from
    from confops.db import connection_pool
    from confops.events.branding import BrandMailer
    from confops.jobs import make_worker

    settings = _settings()
    engine = _engine(settings)
    mailer = BrandMailer(make_mailer(settings.smtp_url, settings.mail_from, settings.mail_dir),
                         settings.default_organizer, storage_from(settings))
    runner = make_worker(settings, mailer)

    async def go() -> None:
        import signal

        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # finish (or hand back) the running job, then exit 0: systemd and Kubernetes stop
            # a worker with SIGTERM at every deploy
            loop.add_signal_handler(sig, runner.stop)
        async with connection_pool(engine, size=4):
            if once:
                done = await runner.run_once()
                click.echo(", ".join(f"{name}: {n}" for name, n in done.items()))
            else:
                await runner.run_forever()

    asyncio.run(go())


@main.command(help="Print an event's badges to one PDF, sorted by last name, and record them as printed. "
              "Layouts are the files in badges/ (e.g. badge-4x3, avery-5392, badge-4x6-duplex, badge-a6).")
@click.argument("slug")
@click.option("--layout", "layout_name", default="badge-4x3", show_default=True,
              help="Layout name in badges/ or a path to a layout .toml file.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="Where to write the PDF.")
@click.option("--role", "roles", multiple=True,
              type=click.Choice(["attendee", "faculty", "staff", "group_leader"]),
              help="Only these roles (repeat for several); everyone by default.")
@click.option("--category", "categories", multiple=True,
              help="Only these registration category codes (repeat for several).")
@click.option("--not-printed", is_flag=True, help="Only badges not yet printed with the person's current token.")
@click.option("--name", default="", help="Only people whose name contains this (case and accents ignored).")
def badges(slug: str, layout_name: str, out_path: str, roles: tuple[str, ...], categories: tuple[str, ...],
           not_printed: bool, name: str) -> None:
    from confops.badges.printing import print_badges
    from confops.core.errors import NotFound
    from confops.documents.badge_data import BadgeFilters, badge_roster
    from confops.documents.layouts import LayoutError, load_layout

    try:
        layout = load_layout(layout_name)
    except LayoutError as exc:
        raise click.ClickException(str(exc)) from exc
    settings = _settings()
    _engine(settings)
    filters = BadgeFilters(roles=frozenset(roles) if roles else None,
                           categories=frozenset(categories) if categories else None,
                           not_printed=not_printed, name=name)

    try:
        roster = asyncio.run(badge_roster(slug, filters, secret_key=settings.secret_key))
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    if roster.unpaid:
        click.echo(f"Not printed, awaiting payment: {'; '.join(map(str, roster.unpaid))}", err=True)
    if not roster.badges:
        raise click.ClickException(f"Nobody to print a badge for at {slug} with these filters.")
    with open(out_path, "wb") as out, click.progressbar(length=len(roster.badges), label="Badges",
                                                         file=sys.stderr) as bar:
        done = asyncio.run(print_badges(slug, out, layout, filters, secret_key=settings.secret_key, printed_by=None,
                                        on_badge=lambda _: bar.update(1), roster=roster))
    click.echo(f"{done.badges} badges on {done.pages} pages ({layout.name}) written to {out_path}.")


@main.command(help="Issue every claimed CME certificate of an event (re-issuing where a claim changed) "
              "and write each valid one as SERIAL.pdf into DIR.")
@click.argument("slug")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, writable=True),
              help="Folder for the PDFs (created if missing).")
def certificates(slug: str, out_dir: str) -> None:
    from pathlib import Path

    from confops.cme.batch import issue_all, render_all
    from confops.cme.certificate_pdf import signer_for_event
    from confops.cme.issuer_keys import configure
    from confops.core.errors import NotFound

    settings = _settings()
    _engine(settings)
    configure(base_url=settings.base_url, secret_key=settings.secret_key)

    async def issue() -> tuple[list[dict], object]:
        issued = await issue_all(slug)
        return issued, (await signer_for_event(issued[0]["event"]) if issued else None)

    try:
        rows, signer = asyncio.run(issue())
    except NotFound as exc:
        raise click.ClickException(str(exc)) from exc
    if not rows:
        raise click.ClickException(f"No claimed CME credit at {slug} yet.")
    with click.progressbar(length=len(rows), label="Certificates", file=sys.stderr) as bar:
        done = render_all(rows, Path(out_dir), settings.base_url, on_done=lambda _: bar.update(1), signer=signer)
    click.echo(f"{done} certificates written to {out_dir}.")


@main.command("rotate-issuer-keys", help="Retire an organizer's signing keys (credentials and certificate "
              "PDFs) and make new ones. The retired keys stay published in /.well-known/did.json and "
              "jwks.json, so everything they signed keeps verifying; new certificates use the new keys.")
@click.argument("organizer")
def rotate_issuer_keys(organizer: str) -> None:
    from confops.cme.issuer_keys import configure, rotate

    settings = _settings()
    _engine(settings)
    configure(base_url=settings.base_url, secret_key=settings.secret_key)
    try:
        made = asyncio.run(rotate(organizer))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"New keys for {organizer}: {', '.join(made)}. The retired ones stay published.")


@main.group(help="Balint small groups.")
def groups() -> None:
    pass


@groups.command("assign", help="Assign an event's small-group participants to groups (stable against the "
                "published assignment) and print the quality report. The result is stored as a draft to "
                "review and publish on the staff page.")
@click.argument("slug")
@click.option("--seed", default=0, show_default=True, type=int, help="Same seed, same groups.")
def groups_assign(slug: str, seed: int) -> None:
    from confops.core.errors import NotFound
    from confops.groups.runs import assign_event, report_lines, run_by_id

    settings = _settings()
    _engine(settings)

    async def go():
        run_id, result, world = await assign_event(slug, seed=seed)
        return run_id, result, world, await run_by_id(world.series["id"], run_id)

    try:
        run_id, result, world, run = asyncio.run(go())
    except NotFound as exc:
        raise click.ClickException(exc.detail) from exc
    click.echo(f"{slug}: {len(world.people)} participants, {len(world.leaders)} leaders, seed {seed}")
    for line in report_lines(run["report"], world):
        click.echo(line)
    for g in result.groups:
        leaders = ", ".join(world.name(x) for x in g.leaders) or "no leader"
        click.echo(f"group {g.number}{' · room ' + g.room if g.room else ''}: {g.size} members, led by {leaders}")
    click.echo(f"Stored as draft run {run_id}: review and publish at {settings.base_url}/staff/events/{slug}/groups")


@main.command(help="Purge the personal data of attendees of events that ended more than "
              "CONFOPS_PURGE_AFTER_DAYS ago, keeping anyone whose records must be kept (CME: 6 years).")
@click.option("--dry-run", is_flag=True, help="Only say how many would be purged.")
def purge(dry_run: bool) -> None:
    from confops.backoffice.privacy import purge as run_purge
    from confops.db import connection_pool

    settings = _settings()
    engine = _engine(settings)

    async def go():
        async with connection_pool(engine, size=2):
            return await run_purge(settings.purge_after_days, dry_run=dry_run)

    result = asyncio.run(go())
    verb = "Would purge" if dry_run else "Purged"
    click.echo(f"{verb} {result.attendees} registration(s) of {result.people} person(s) "
               f"(events ended over {settings.purge_after_days} days ago); kept {len(result.kept)}.")
    for email, reasons in sorted(result.kept.items()):
        click.echo(f"  kept {email}: {'; '.join(reasons)}")
    for email, reasons in sorted(result.kept_in_part.items()):
        click.echo(f"  kept in part {email}: {'; '.join(reasons)}")


@main.command(help="Compare the sales counters (places, categories, add-ons) with the rows they count "
              "(active attendees of held or confirmed orders, open waitlist offers), and the dashboard's "
              "running tallies (registrations per state, category, profession and day; payments, refunds "
              "and what open orders owe; CME claims per credit type, session and credentials, learners with "
              "attendance recorded; check-ins per list and 15 minutes; personal agenda picks per session) with the "
              "rows, and report every difference; exit status 1 if there is one.")
@click.option("--event", "slug", default=None, help="Only this event (its slug).")
def check(slug: str | None) -> None:
    from confops.db import connection_pool
    from confops.registration.consistency import check as run_check

    engine = _engine(_settings())

    async def go():
        from confops.checkin.tallies import differences as checkin_differences
        from confops.cme.tallies import differences as cme_differences
        from confops.events.tables import Event
        from confops.events.tallies import differences as agenda_differences
        from confops.payments.tallies import differences as money_differences
        from confops.registration.consistency import Difference

        async with connection_pool(engine, size=2):
            found = await run_check(slug)
            where = Event.slug == slug if slug else Event.id > 0
            for event in await Event.select(Event.id, Event.slug).where(where).order_by(Event.id):
                found += [Difference(event["slug"], what, kept, rows)
                          for what, kept, rows in [*await money_differences(event["id"]),
                                                   *await cme_differences(event["id"]),
                                                   *await checkin_differences(event["id"]),
                                                   *await agenda_differences(event["id"])]]
            return found

    found = asyncio.run(go())
    for difference in found:
        click.echo(str(difference))
    click.echo(f"{len(found)} difference(s) between counters and rows.")
    if found:
        raise SystemExit(1)


from confops.cli_operations import rotate_secret, storage  # noqa: E402 - the operator's commands

main.add_command(storage)
main.add_command(rotate_secret)

if __name__ == "__main__":
    main()
