"""The operator's `confops` commands: files to a bucket, rotating the secret key."""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import sys

import click


def _settings():
    from confops.cli import _settings as load

    return load()


def ends_without_finalizing(command):
    """For a command that used the object store (obstore): end the process as soon as the
    command is done. obstore's Rust runtime keeps worker threads that may still be handing a
    finished call back to Python when the interpreter shuts down, and the process then dies with
    SIGABRT after having done its work (seen in about one run in eight against an S3 server), so
    an operator's script would see a failure. os._exit skips that shutdown; output is flushed
    first."""

    @functools.wraps(command)
    def run(*args, **kwargs):
        try:
            command(*args, **kwargs)
            code = 0
        except click.ClickException as exc:
            exc.show()
            code = exc.exit_code
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)

    return run


@click.group(help="Uploaded and stored files (CONFOPS_STORAGE_URL).")
def storage() -> None:
    pass


@storage.command("move-to-bucket", help="Move the files kept in the local folder (<CONFOPS_VAR_DIR>/uploads) "
                 "into the bucket of CONFOPS_STORAGE_URL=s3://…, key for key. Safe to run again: a file already "
                 "in the bucket with the same size is not copied twice. Run it once before starting a second host.")
@click.option("--keep", is_flag=True, help="Copy only: leave the local files where they are.")
@ends_without_finalizing
def move_to_bucket(keep: bool) -> None:
    from confops.core.storage import copy_all, folder_of, folder_storage, storage_from

    settings = _settings()
    if not settings.storage_url.startswith("s3://"):
        raise click.ClickException("Set CONFOPS_STORAGE_URL=s3://bucket[/prefix] (and the CONFOPS_S3_* settings) "
                                   "to the bucket the files should move to.")
    source = folder_of(settings)
    if not source.is_dir():
        raise click.ClickException(f"No folder {source}: nothing to move.")
    target = storage_from(settings)

    async def go():
        await target.check()
        return await copy_all(folder_storage(source), target, remove=not keep)

    copied, present = asyncio.run(go())
    click.echo(f"{copied} copied, {present} already in {target.description}"
               + ("" if keep else f"; removed from {source}") + ".")


@click.command("rotate-secret", help="Re-seal everything sealed with the secret key under the current "
               "CONFOPS_SECRET_KEY, opening it with the keys in CONFOPS_OLD_SECRET_KEYS. Steps: give every host "
               "the new CONFOPS_SECRET_KEY and the old one in CONFOPS_OLD_SECRET_KEYS, restart them, run this once, "
               "then remove the old key (see docs/deploy.md). Safe to run again.")
@click.option("--new-key", is_flag=True, help="Only print a new random key to use as CONFOPS_SECRET_KEY.")
def rotate_secret(new_key: bool) -> None:
    import secrets

    if new_key:
        click.echo(secrets.token_urlsafe(48))
        return
    from confops.checkin.service import reseal_keys
    from confops.cli import _engine
    from confops.cme.issuer_keys import reseal_all as reseal_issuer_keys
    from confops.db import connection_pool

    settings = _settings()
    if not settings.old_secret_keys:
        raise click.ClickException("Set CONFOPS_OLD_SECRET_KEYS to the key being replaced (and CONFOPS_SECRET_KEY "
                                   "to the new one) first.")
    engine = _engine(settings)

    async def go():
        async with connection_pool(engine, size=2):
            return (await reseal_keys(settings.secret_key, settings.old_secret_keys),
                    await reseal_issuer_keys(settings.secret_key, settings.old_secret_keys))

    checkin, issuer = asyncio.run(go())
    click.echo(f"Check-in keys: {checkin['resealed']} re-sealed under the new key, {checkin['current']} already were.")
    click.echo(f"Credential and PDF signing keys: {issuer['resealed']} re-sealed, {issuer['current']} already were.")
    unopenable = checkin["unopenable"] + issuer["unopenable"]
    if unopenable:
        raise click.ClickException(f"{unopenable} stored key(s) open with none of the keys given: add "
                                   "the key that sealed them to CONFOPS_OLD_SECRET_KEYS and run this again.")
    click.echo("Signed links (unsubscribe) made with the old key keep working while it stays in "
               "CONFOPS_OLD_SECRET_KEYS; sessions signed with it end (people sign in again). "
               "You may now remove the old key.")
