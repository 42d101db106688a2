"""The JSON API v1 (flask-smorest): thin views that load, authorise, call the domain, dump.

The OpenAPI 3 document is served at /api/v1/openapi.json. Errors are answered by
journal.errors in the `{code, message, errors}` shape, not flask-smorest's own.
"""
from flask_smorest import Api as _Api


class Api(_Api):
    def _register_error_handlers(self):
        """journal.errors handles every error, so that all share one JSON shape."""


api = Api()


def init_app(app):
    from . import auth, citizens, teams

    app.config.setdefault(
        "API_SPEC_OPTIONS",
        {
            "info": {
                "description": "Forventningsjournal API. Session cookie auth: log in with "
                "POST /api/v1/auth/login, then send the returned csrf_token as X-CSRFToken "
                "on every unsafe request. Errors are {code, message, errors}."
            },
            "components": {
                "securitySchemes": {
                    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": "journal_session"}
                }
            },
            "security": [{"cookieAuth": []}],
        },
    )
    api.init_app(app)
    api.register_blueprint(auth.blp)
    api.register_blueprint(citizens.blp)
    api.register_blueprint(teams.blp)
