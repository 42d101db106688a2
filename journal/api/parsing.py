"""How API requests are read: JSON only, bounded, and never a 500 on a hostile body.

webargs (under flask-smorest) treats a body that is not `application/json` as absent, which
would turn a form post to "declare recusal" into a valid empty request; here a non-JSON body
is 415, and no body at all where the route reads one is 422. JSON nested deep enough to exhaust the recursion limit, and strings with lone
surrogates (which SQLite cannot store as UTF-8), are 400 like any other invalid JSON.
Path ids are bounded to SQLite's 64-bit integers, so a huge id is a plain 404.
"""
import json

from flask_smorest import Blueprint as _Blueprint
from webargs import core
from webargs.flaskparser import FlaskParser, abort, is_json_request
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


def _has_lone_surrogate(value):
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(v) for v in value)
    return False


class JsonParser(FlaskParser):
    def _raw_load_json(self, req):
        if not is_json_request(req):
            # The form parser (CSRF reads request.form) may have consumed the stream, so
            # judge by the headers: any declared body that is not JSON is refused.
            if req.mimetype or req.content_length:
                abort(415, messages={"json": ["Send the body as application/json."]})  # see messages.py
            return core.missing
        try:
            data = core.parse_json(req.get_data(cache=True))
        except RecursionError:
            raise json.JSONDecodeError("JSON nested too deeply", "?", 0) from None
        if _has_lone_surrogate(data):
            raise json.JSONDecodeError("Text holds an unpaired surrogate", "?", 0)
        return data

    def load_json(self, req, schema):
        """The JSON body; a route that reads one refuses a request without it (422).

        An empty POST to "declare recusal" must not silently mean "recuse me", nor an empty
        PATCH "change nothing": the answer names the required fields, if any, and says that
        a body is needed.
        """
        data = super().load_json(req, schema)
        if data is core.missing:
            errors = schema.validate({})
            errors.setdefault("_schema", []).append("This request needs a JSON body.")  # see messages.py
            abort(422, messages={"json": errors})
        return data

    def _handle_invalid_json_error(self, error, req, *args, **kwargs):
        abort(400, exc=error, messages={"json": ["The body is not valid JSON."]})


class Blueprint(_Blueprint):
    """flask-smorest's Blueprint with the strict JSON parser."""

    ARGUMENTS_PARSER = JsonParser()


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: ids beyond SQLite's 64-bit INTEGER are simply not found.

    (A `max=` on the converter would make routing fall through to a misleading 405.)
    """

    def to_python(self, value):
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound()
        return number


def id_param_schema(converter):
    return {"type": "integer", "minimum": 1, "maximum": MAX_ID}
