"""The operator's `confops` commands: files to a bucket, rotating the secret key."""

from __future__ import annotations

import asyncio

import click


def _settings():
    from confops.cli import _settings as load

    return load()


@click.group(help="Uploaded and stored files (CONFOPS_STORAGE_URL).")
def storage() -> None:
    pass


@storage.command("move-to-bucket", help="Move the files kept in the local folder (<CONFOPS_VAR_DIR>/uploads) "
                 "into the bucket of CONFOPS_STORAGE_URL=s3://…, key for key. Safe to run again: a file already "
                 "in the bucket with the same size is not copied twice. Run it once before starting a second host.")
@click.option("--keep", is_flag=True, help="Copy only: leave the local files where they are.")
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
