"""Response headers: a CSP without inline script, no caching of case data, no framing."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; worker-src 'self'; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def set_headers(response):
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CSP)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    # Case data must not linger in shared caches or the browser's back/forward cache.
    from flask import request

    if not request.path.startswith("/static/") and not headers.get("Cache-Control", "").startswith(("public", "no-cache")):
        headers["Cache-Control"] = "no-store"
    return response


def init_app(app):
    app.after_request(set_headers)
