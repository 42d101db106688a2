"""`flask --app journal journal ...`: migrate, create-team, create-user, seed-demo, backup."""
import sqlite3
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from . import db as dbmod
from . import users
from .errors import JournalError

group = AppGroup("journal", help="Forventningsjournal administration.")


def _db():
    return dbmod.connect(current_app.config["DATABASE"])


def _fail(error):
    message = error.message or ""
    if error.errors:
        message += " " + "; ".join(f"{k}: {' '.join(map(str, v))}" for k, v in error.errors.items())
    raise click.ClickException(message.strip() or error.code)


@group.command("migrate")
def migrate_command():
    """Apply pending database migrations."""
    database = _db()
    applied = dbmod.migrate(database)
    click.echo(f"Applied {len(applied)} migration(s)" + (f": {', '.join(applied)}" if applied else "; up to date."))


@group.command("create-team")
@click.argument("name")
@click.option("--municipality", required=True)
@click.option("--locale", type=click.Choice(["da", "sv", "en"]), default="da", show_default=True)
def create_team_command(name, municipality, locale):
    """Create a team NAME in a municipality."""
    database = _db()
    try:
        with dbmod.transaction(database):
            team_id = users.create_team(database, name, municipality, locale)
    except JournalError as error:
        _fail(error)
    click.echo(f"Created team {name!r} (id {team_id}).")


@group.command("create-user")
@click.argument("username")
@click.option("--role", type=click.Choice(users.ROLES), required=True)
@click.option("--team", "team_name", help="Team name (required for workers and leads).")
@click.option("--display-name")
@click.option("--locale", type=click.Choice(["da", "sv", "en"]))
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(username, role, team_name, display_name, locale, password_stdin):
    """Create a user. The password is prompted for unless --password-stdin is given."""
    database = _db()
    team_id = None
    if team_name:
        team = users.team_by_name(database, team_name)
        if team is None:
            raise click.ClickException(f"No team called {team_name!r}.")
        team_id = team["id"]
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        with dbmod.transaction(database):
            user_id = users.create_user(database, username, password, role, team_id, display_name, locale)
    except JournalError as error:
        _fail(error)
    click.echo(f"Created {role} {username!r} (id {user_id}).")


@group.command("seed-demo")
def seed_demo_command():
    """Load the fictitious demo teams, users and citizens (skipped if already loaded)."""
    from . import demo

    database = _db()
    dbmod.migrate(database)
    try:
        logins = demo.seed(database)
    except JournalError as error:
        _fail(error)
    if logins is None:
        click.echo("Demo data is already loaded.")
        logins = demo.LOGINS
    click.echo("Demo logins (password for all: %s):" % demo.PASSWORD)
    for username, role, team in logins:
        click.echo(f"  {username:<10} {role:<10} {team or ''}")


@group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup_command(path):
    """Copy the database to PATH with SQLite's online backup API (safe while serving)."""
    source = sqlite3.connect(current_app.config["DATABASE"])
    target = sqlite3.connect(path)
    with target:
        source.backup(target)
    target.close()
    source.close()
    click.echo(f"Backed up to {path}.")


def init_app(app):
    app.cli.add_command(group)
