"""flask --app wsgi casemgr api-key create|revoke|list: Open311 client keys."""

import logging

import click
from flask.cli import AppGroup

from casemgr.open311 import keys, schema

log = logging.getLogger(__name__)

api_key_group = AppGroup("api-key", help="Create, revoke and list Open311 API keys.")


@api_key_group.command("create")
@click.argument("name")
def create(name):
    """Create a key for the client NAME; the key alone is printed on the last line."""
    try:
        key, raw_key = keys.create(name, actor="cli")
    except keys.ApiKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Open311 API key {key.id} for {key.name}; it is shown only once:")
    click.echo(raw_key)


@api_key_group.command("revoke")
@click.argument("name")
def revoke(name):
    """Revoke the key of the client NAME."""
    key = keys.by_name(name)
    if key is None:
        raise click.ClickException(f"there is no key named {name!r}")
    try:
        keys.revoke(key, actor="cli")
    except keys.ApiKeyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"revoked the key of {key.name}")


@api_key_group.command("list")
def list_keys():
    """List the keys: name, first characters, created, revoked."""
    rows = keys.list_keys()
    if not rows:
        click.echo("no API keys")
    for key in rows:
        state = f"revoked {schema.w3c(key.revoked_at)}" if key.revoked_at else "active"
        click.echo(f"{key.name:<30} {key.prefix}…  created {schema.w3c(key.created_at)}  "
                   f"{state}")
