"""The JSON API v1 (flask-smorest): thin views that load, authorise, call the domain, dump.

The OpenAPI 3 document is served at /api/v1/openapi.json. Errors are answered by
journal.errors in the `{code, message, errors}` shape, not flask-smorest's own.
"""
import marshmallow as ma
from flask_smorest import Api as _Api


class ErrorSchema(ma.Schema):
    """Every error: a stable machine code, a message for people, field errors."""

    code = ma.fields.String(metadata={"description": "e.g. validation_error, not_found, id_conflict"})
    message = ma.fields.String(metadata={"description": "in the user's language"})
    errors = ma.fields.Dict(metadata={"description": "field name → list of messages (may nest)"})


class Api(_Api):
    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self):
        """journal.errors handles every error, so that all share one JSON shape."""


api = Api()


def init_app(app):
    from . import auth, citizens, exports, parsing, sparring, sync, teams

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
    app.url_map.converters["int"] = parsing.IdConverter
    api.init_app(app)
    api.register_converter(parsing.IdConverter, parsing.id_param_schema)
    api.register_blueprint(auth.blp)
    api.register_blueprint(citizens.blp)
    api.register_blueprint(teams.blp)
    api.register_blueprint(sync.blp)
    api.register_blueprint(sparring.blp)
    api.register_blueprint(exports.blp)
