"""The installable, offline-capable app: service worker, manifest and the offline shell pages.

The shell pages (/app, /app/meeting) hold no case data and no user data, so they can be
cached on the phone: the offline list fills itself from IndexedDB (case refs and the
worker's current view only) and the offline form queues meetings in the outbox.
"""
import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, make_response, render_template, send_from_directory, url_for
from werkzeug.datastructures import MultiDict

from .. import clock
from ..access import public
from ..expectations import SOURCES
from ..schemas.core import MODES
from . import bp
from .forms import MAX_ROWS

SHELL_PAGES = ("/app", "/app/meeting")


@lru_cache(maxsize=4)
def _version(static_folder, templates_folder):
    """A fingerprint of every static file and template: a deploy changes it, and the new
    service worker then replaces the cached shell."""
    digest = hashlib.sha256()
    for folder in (static_folder, templates_folder):
        for path in sorted(Path(folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(folder)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def version():
    return _version(current_app.static_folder, current_app.template_folder)


def precache():
    static = Path(current_app.static_folder)
    files = [
        url_for("static", filename=str(p.relative_to(static)))
        for p in sorted(static.rglob("*"))
        if p.is_file() and p.suffix in (".css", ".js", ".png", ".svg", ".webmanifest")
    ]
    return [*SHELL_PAGES, url_for("web.lexicon"), *files]


@bp.route("/sw.js")
@public
def service_worker():
    """The service worker, served from the root so that its scope is the whole app."""
    response = make_response(render_template("sw.js", version=version(), precache=precache()))
    response.headers["Content-Type"] = "text/javascript; charset=utf-8"
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.route("/manifest.webmanifest")
@public
def manifest():
    response = send_from_directory(current_app.static_folder, "manifest.webmanifest")
    response.headers["Content-Type"] = "application/manifest+json"
    return response


@bp.route("/app")
@public
def offline_list():
    """The offline list: what this phone knows, and what it has not sent yet."""
    return _shell(render_template("app.html", shell=True))


@bp.route("/app/meeting")
@public
def offline_meeting():
    """The log-meeting form without case data, served for /citizens/<id>/meetings/new offline."""
    return _shell(
        render_template(
            "meeting_form.html",
            shell=True,
            citizen=None,
            form=MultiDict(),
            errors={},
            today=clock.today().isoformat(),
            modes=MODES,
            sources=SOURCES,
            others=[],
            ids=[""] * (2 + MAX_ROWS),
            rows=range(3),
            max_rows=MAX_ROWS,
        )
    )


def _shell(html):
    response = make_response(html)
    response.headers["Cache-Control"] = "no-cache"
    return response
