"""`flask --app journal journal ...`: migrate, create-team, create-user, seed-demo, study, export,
purge-exports, retention, backup, restore."""
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from . import db as dbmod
from . import files, users
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
    """Load the fictitious demo teams, users and citizens (skipped if already loaded).

    Development only: the demo's admin and researcher share a password printed in the README.
    """
    from . import demo

    if current_app.config["JOURNAL_ENV"] != "development":
        raise click.ClickException(
            "seed-demo only runs with JOURNAL_ENV=development: the demo users' password is public "
            f"(JOURNAL_ENV is {current_app.config['JOURNAL_ENV']!r})."
        )

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


@group.command("study")
@click.argument("name")
@click.option("--team", "teams", multiple=True, required=True, help="An enrolled team (repeat for more).")
@click.option("--researcher", "researchers", multiple=True, help="A researcher's username (repeat for more).")
@click.option("--min-k", type=click.IntRange(2, 50), help="The smallest k the study's exports may use (default 5).")
def study_command(name, teams, researchers, min_k):
    """Create or update a study: exactly these teams enrolled and researchers attached."""
    from . import studies

    database = _db()
    try:
        study_id = studies.upsert(database, None, name, teams, researchers, min_k)
    except JournalError as error:
        _fail(error)
    click.echo(f"Study {name!r} (id {study_id}): {len(teams)} team(s), {len(researchers)} researcher(s).")


@group.command("export")
@click.option("--study", "study_name", required=True)
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--free-text", is_flag=True, help="Include free text, scrubbed of names, numbers and addresses.")
@click.option("--k", default=5, show_default=True, type=click.IntRange(2, 50), help="k for k-anonymity.")
@click.option("--spss-stata", "stats_files", is_flag=True, help="Also SPSS .sav and Stata .dta files with value labels.")
def export_command(study_name, out_path, free_text, k, stats_files):
    """Write the anonymised export of a study to a zip file (audited)."""
    from . import audit, export, studies

    database = _db()
    study = studies.get(database, study_name)
    if study is None:
        raise click.ClickException(f"No study called {study_name!r}.")
    options = export.Options(free_text=free_text, k=k, stats_files=stats_files)
    # a new file is 0600 from the start; a file being overwritten keeps the mode it has
    opener = open if os.path.exists(out_path) else files.open_private
    with opener(out_path, "wb") as out:
        summary = export.write(database, study["id"], options, out, current_app.config["SECRET_KEY"])
    with dbmod.transaction(database):
        audit.record(
            database, None, "export.create", "study", study["id"],
            {"via": "cli", "options": {"free_text": free_text, "k": k, "stats_files": stats_files},
             "columns": summary["columns"]},
        )
    rows = ", ".join(f"{name} {count}" for name, count in summary["rows"].items())
    generalised = sum(summary["generalised"].values())
    click.echo(f"Wrote {out_path}: {rows}; {summary['suppressed']} citizen(s) suppressed, {generalised} generalised.")


@group.command("purge-exports")
def purge_exports_command():
    """Delete export files past their expiry (EXPORT_DAYS) and mark them expired (audited)."""
    from . import exportjobs

    database = _db()
    counts = exportjobs.purge(database, exportjobs.folder_of(current_app), via="cli")
    database.close()
    click.echo(
        f"Expired {counts['expired']} export(s); {counts['failed']} interrupted job(s) marked failed; "
        f"{counts['orphans']} stray file(s) deleted."
    )


@group.command("retention")
@click.option("--dry-run", is_flag=True, help="List what would be deleted; delete nothing.")
def retention_command(dry_run):
    """Delete citizens closed longer than JOURNAL_RETENTION_DAYS, with all their rows (audited);
    export files past EXPORT_DAYS go too."""
    from . import exportjobs, retention

    database = _db()
    days = current_app.config["RETENTION_DAYS"]
    citizens = retention.run(database, days, dry_run=dry_run)
    verb = "Would delete" if dry_run else "Deleted"
    click.echo(f"{verb} {len(citizens)} citizen(s) closed more than {days} days ago.")
    for c in citizens:
        click.echo(f"  {c['team']}  {c['case_ref']}  closed {c['closed_at'][:10]}")
    if not dry_run:
        counts = exportjobs.purge(database, exportjobs.folder_of(current_app), via="retention")
        click.echo(f"Expired {counts['expired']} export file(s).")
    database.close()


def _size(size):
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024


@group.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
def backup_command(path, force):
    """Copy the database to PATH (0600) with SQLite's online backup API (safe while serving)."""
    from . import backup

    try:
        copy = backup.backup(current_app.config["DATABASE"], path, force=force)
    except JournalError as error:
        _fail(error)
    click.echo(f"Backed up to {copy.path}: {_size(copy.size)}, schema {copy.schema}, integrity ok.")


@group.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, exists=True))
def restore_command(path):
    """Replace the database with the backup PATH (refused while the database is in use).

    The old database is kept beside it as journal.db.<time>.bak; an older backup is migrated.
    """
    from . import backup

    database = current_app.config["DATABASE"]
    try:
        result = backup.restore(database, path)
    except JournalError as error:
        _fail(error)
    if result.aside:
        click.echo(f"Kept the previous database as {result.aside}.")
    if result.applied_now:
        click.echo(f"Migrated the backup: {', '.join(result.applied_now)}.")
    click.echo(
        f"Restored {path} into {database}: {_size(result.size)}, schema {result.schema}, "
        "integrity and foreign keys ok."
    )


def init_app(app):
    app.cli.add_command(group)


@group.command("access-report")
@click.argument("case_ref")
@click.option("--team", "team_name", required=True, help="The team the citizen belongs to.")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, writable=True),
              help="FILE.html (printable) or FILE.pdf.")
def access_report_command(case_ref, team_name, out_path):
    """Write the citizen-access report (aktindsigt / registerutdrag) for CASE_REF to FILE
    (.html or .pdf), readable by this user only (audited, without content)."""
    import os

    from . import accessreport, audit

    kind = os.path.splitext(out_path)[1].lower()
    if kind not in (".html", ".pdf"):
        raise click.ClickException("The report is written as .html or .pdf; give --out a file name ending in one of them.")
    database = _db()
    team = users.team_by_name(database, team_name)
    if team is None:
        raise click.ClickException(f"No team called {team_name!r}.")
    rows = list(database.query("SELECT * FROM citizen WHERE team_id = ? AND case_ref = ?", [team["id"], case_ref]))
    if not rows:
        raise click.ClickException(f"No citizen {case_ref!r} in {team_name!r}.")
    report = accessreport.gather(database, rows[0])
    data = accessreport.to_pdf(report) if kind == ".pdf" else accessreport.to_html(report, standalone=True).encode("utf-8")
    descriptor = os.open(out_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # an existing file keeps its mode otherwise
    with os.fdopen(descriptor, "wb") as out:
        out.write(data)
    with dbmod.transaction(database):
        audit.record(database, None, "citizen.access_report", "citizen", rows[0]["id"], {"via": "cli", "format": kind[1:]})
    database.close()
    click.echo(f"Wrote the access report for {case_ref} to {out_path}.")
