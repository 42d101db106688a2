"""Response headers: a CSP without inline script, no caching of case data, no framing, and
HSTS wherever cookies are secure (that is, behind TLS)."""
from flask import current_app, request

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


#: A year, as browsers' preload lists expect.
HSTS_MAX_AGE = 31_536_000


def set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    # Secure cookies mean the app is served over TLS: tell browsers never to try plain http
    # again (a year). `make run` sets JOURNAL_COOKIE_SECURE=0 for localhost and sends none.
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", f"max-age={HSTS_MAX_AGE}; includeSubDomains")
    # Case data must not linger in shared caches or the browser's back/forward cache.
    if not request.path.startswith("/static/") and not headers.get("Cache-Control", "").startswith(("public", "no-cache")):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    app.after_request(set_headers)
