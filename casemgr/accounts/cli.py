"""flask --app wsgi casemgr unlock-user USERNAME: lift a login lock before it runs out."""

import logging

import click

from casemgr.accounts import service

log = logging.getLogger(__name__)


@click.command("unlock-user")
@click.argument("username")
def unlock_user(username):
    """Let USERNAME log in again now, and forget its wrong passwords."""
    user = service.find_user(username)
    if user is None:
        raise click.ClickException(f"there is no user named {username!r}")

    if service.unlock(user, "the command line"):
        click.echo(f"{user.username} was locked; it can log in again")
    else:
        click.echo(f"{user.username} was not locked; its wrong passwords are forgotten")
