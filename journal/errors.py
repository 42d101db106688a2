"""Errors in one place: domain exceptions and how they reach the client.

API paths (/api/...) always answer `{"code", "message", "errors"}` JSON; HTML paths get an
error page in the same look. Domain code raises `JournalError` subclasses and never builds
responses itself.
"""
import logging
import math
import time

from flask import jsonify, make_response, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class JournalError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message=None, errors=None, code=None, headers=None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}
        if code:
            self.code = code
        self.headers = headers or {}


class Invalid(JournalError):
    status = 422
    code = "validation_error"


class Forbidden(JournalError):
    status = 403
    code = "forbidden"


class NotFound(JournalError):
    status = 404
    code = "not_found"


class Conflict(JournalError):
    status = 409
    code = "conflict"


class Gone(JournalError):
    status = 410
    code = "gone"


class TooMany(JournalError):
    status = 429
    code = "too_many_requests"


_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    410: "gone",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "too_many_requests",
    500: "internal_error",
}


def _messages():
    return {
        400: _("The request could not be understood."),
        401: _("Please log in."),
        403: _("You do not have access to this."),
        404: _("Not found."),
        405: _("This method is not allowed here."),
        409: _("This conflicts with what is already stored."),
        410: _("This is no longer here."),
        413: _("The request is too large."),
        415: _("Send the request as JSON."),
        422: _("Some fields are not valid."),
        429: _("Too many attempts. Please wait and try again."),
        500: _("Something went wrong on our side. Nothing was saved."),
    }


def wants_json():
    return request.path.startswith("/api/")


def _flatten(messages):
    """webargs nests errors by location ({"json": {...}}); clients want {field: [...]}."""
    if not isinstance(messages, dict):
        return {"_schema": messages if isinstance(messages, list) else [str(messages)]}
    locations = {"json", "query", "querystring", "form", "view_args", "path", "headers"}
    if messages and set(messages) <= locations:
        flat = {}
        for inner in messages.values():
            if isinstance(inner, dict):
                flat.update(inner)
            else:
                flat.setdefault("_schema", []).extend(inner if isinstance(inner, list) else [inner])
        return flat
    return messages


def respond(status, code=None, message=None, errors=None, headers=None):
    message = message or _messages().get(status) or _messages()[400]
    code = code or _CODES.get(status, "error")
    if wants_json():
        from .messages import translate

        response = jsonify({"code": code, "message": str(message), "errors": translate(errors or {})})
    else:
        try:
            response = make_response(render_template("error.html", status=status, message=message))
        except Exception:  # an error page must never fail: fall back to plain text
            log.exception("Error page failed to render")
            response = make_response(f"{status} {message}")
            response.mimetype = "text/plain"
    response.status_code = status
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def handle_journal_error(error):
    if error.status == 401 and not wants_json():
        # a page asked for a login (or the password again): go there, and come back
        # afterwards; a form sent with POST comes back to its page (GET at the same address)
        from flask import flash, redirect, url_for

        back = request.full_path.rstrip("?") if request.method == "GET" else request.path
        if error.code == "fresh_login_required":
            return redirect(url_for("web.confirm_password", next=back))
        if error.code == "session_expired":
            flash(error.message)
        return redirect(url_for("web.login", next=back))
    return respond(error.status, error.code, error.message, error.errors, error.headers)


def handle_csrf_error(error):
    return respond(400, "csrf_failed", _("The security token is missing or wrong. Reload and try again."))


def handle_http_exception(error):
    data = getattr(error, "data", None) or {}
    errors = None
    if "errors" in data:
        errors = data["errors"]
    elif "messages" in data:
        errors = _flatten(data["messages"])
    status = error.code or 500
    message = data.get("message")
    if status == 400 and errors and "json" in (data.get("messages") or {}):
        message = _("The body is not valid JSON.")
    headers = {}
    if status == 429:
        retry = _rate_limit_retry_after()
        if retry:
            headers["Retry-After"] = str(retry)
    if status == 405 and hasattr(error, "valid_methods") and error.valid_methods:
        headers["Allow"] = ", ".join(error.valid_methods)
    return respond(status, message=message, errors=errors, headers=headers)


def _rate_limit_retry_after():
    """Seconds until Flask-Limiter's window for this request ends. Its own headers are off
    (config RATELIMIT_HEADERS_ENABLED): they put a Retry-After on every answer, a 401 too,
    and over the failed-login throttle's own."""
    from .limiter import limiter

    current = limiter.current_limit
    if current is None:
        return None
    return max(1, math.ceil(current.reset_at - time.time()))


def handle_unexpected(error):
    log.exception("Unhandled error on %s %s", request.method, request.path)
    return respond(500)


def init_app(app):
    app.register_error_handler(JournalError, handle_journal_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
