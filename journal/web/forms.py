"""HTML form posts → the same dicts the JSON API takes, so one marshmallow schema validates both.

Browsers send every value as a string; the API schemas insist on JSON numbers and booleans.
`load(schema, form)` reads exactly the fields the schema declares, turns strings into numbers
or booleans where the schema expects them (leaving anything else as it is, for the schema to
refuse with its own message), and treats an empty optional field as "not given". A meeting's
expectations are assembled from flat field names by `meeting_body`. Views never read
`request.form` themselves.
"""
import re

from marshmallow import ValidationError
from marshmallow import fields as ma_fields

from ..messages import translate
from ..schemas.fields import StrictBoolean, StrictInteger

#: Collaborator rows on the log-meeting form: c0_…, c1_…, … up to this many.
MAX_ROWS = 8
MEETING_TEXT = ("note", "reflection_usual", "reflection_different", "citizen_explanation")


_INTEGER = re.compile(r"-?[0-9]+")


def number(value):
    """"7" → 7; anything else unchanged (None, "", "seven", "７") so the schema says what is
    wrong. Only ASCII digits: str.isdigit() and int() also take "７" and "²"."""
    if isinstance(value, str) and _INTEGER.fullmatch(value.strip()):
        return int(value.strip())
    return value


def optional(value):
    """An empty form field means "not given"."""
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


#: How a checkbox or a hidden field spells a boolean.
BOOLEANS = {"1": True, "on": True, "true": True, "0": False, "off": False, "false": False}


def _value(field, value):
    if isinstance(field, StrictInteger):
        return number(value)
    if isinstance(field, StrictBoolean):
        return BOOLEANS.get(value.strip().lower(), value) if isinstance(value, str) else value
    return value


def form_body(schema, form, names=None):
    """The JSON body *schema* expects, from a posted form (a werkzeug MultiDict).

    Only the fields the schema declares are read (the CSRF token and buttons are not data);
    lists come from repeated fields (checkboxes); blank optional fields are left out.

    :param names: schema field → form field name, where a page holds several such forms
        and their inputs need unique names (e.g. ``{"value": "value-7"}``)
    """
    body = {}
    for name, field in schema.fields.items():
        key = field.data_key or name
        source = (names or {}).get(key, key)
        if field.dump_only:
            continue
        if isinstance(field, ma_fields.List):
            if source in form or field.required:
                body[key] = [_value(field.inner, v) for v in form.getlist(source)]
        elif source in form:
            value = form.get(source)
            if optional(value) is None and not field.required:
                continue
            body[key] = _value(field, value)
    return body


def load(schema, form, names=None):
    """Validate a posted form with *schema*, exactly as the API validates a JSON body.

    :returns: (data, errors): the loaded dict and {}, or None and {field: [messages]} in the
        user's language, for the template to show next to each field
    """
    try:
        return schema.load(form_body(schema, form, names)), {}
    except ValidationError as error:
        return None, flatten(error.messages)


def flatten(errors):
    """{field: [message, ...]} in the current language, nested messages joined under their field."""
    return {key: _messages(translate(value)) for key, value in (errors or {}).items()}


def domain_errors(error):
    """The {field: [messages]} of a domain Invalid/JournalError, its message under "_schema"."""
    errors = flatten(error.errors)
    if error.message and not errors:
        errors["_schema"] = [str(error.message)]
    return errors


def meeting_body(form):
    """The JSON body of a meeting create from the log-meeting form.

    :returns: (body, rows): rows maps each expectation's index in the body to the form row it
        came from ("own" or the collaborator row number), to put errors back next to fields
    """
    body = {
        "id": form.get("id", ""),
        "held_on": form.get("held_on", ""),
        "mode": form.get("mode", ""),
        "participants": form.getlist("participants"),
        "expectations": [],
    }
    for field in MEETING_TEXT:
        if optional(form.get(field)) is not None:
            body[field] = form[field]
    rows = {}
    own = optional(form.get("own_value"))
    if own is not None:
        entry = {
            "id": form.get("own_id", ""),
            "source": "worker",
            "value": number(own),
            "confidence": form.get("own_confidence") or "medium",
        }
        if optional(form.get("own_basis")) is not None:
            entry["basis"] = form["own_basis"]
        rows[len(body["expectations"])] = "own"
        body["expectations"].append(entry)
    for i in range(MAX_ROWS):
        source = optional(form.get(f"c{i}_source"))
        value = optional(form.get(f"c{i}_value"))
        if source is None and value is None:
            continue
        entry = {
            "id": form.get(f"c{i}_id", ""),
            "source": source,
            "value": number(value),
            "confidence": form.get(f"c{i}_confidence") or "medium",
        }
        if optional(form.get(f"c{i}_label")) is not None:
            entry["source_label"] = form[f"c{i}_label"]
        rows[len(body["expectations"])] = i
        body["expectations"].append(entry)
    return body, rows


def meeting_errors(errors, rows):
    """Schema errors for a meeting, keyed by form field names ("own_value", "c1_source", …)."""
    flat = {}
    for key, messages in errors.items():
        if key == "expectations" and isinstance(messages, dict):
            for index, entry_errors in messages.items():
                row = rows.get(int(index)) if str(index).isdigit() else None
                if row is None or not isinstance(entry_errors, dict):
                    flat.setdefault("expectations", []).extend(_messages(entry_errors))
                    continue
                prefix = "own" if row == "own" else f"c{row}"
                for field, field_messages in entry_errors.items():
                    name = {"source_label": "label"}.get(field, field)
                    flat.setdefault(f"{prefix}_{name}", []).extend(_messages(field_messages))
        else:
            flat.setdefault(key, []).extend(_messages(messages))
    return flat


def _messages(value):
    if isinstance(value, dict):
        out = []
        for inner in value.values():
            out.extend(_messages(inner))
        return out
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def team_settings(schema, form, phases):
    """Validate the team-settings form with the API's TeamPatch: the sparring time boxes come
    as one field per phase (``phase_reflections`` …) and go in as the ``phase_minutes`` dict.

    :returns: (data, errors) as `load`, errors of a time box under its own field name
    """
    body = form_body(schema, form)
    minutes = {p: number(form.get(f"phase_{p}")) for p in phases if optional(form.get(f"phase_{p}")) is not None}
    if minutes:
        body["phase_minutes"] = minutes
    try:
        return schema.load(body), {}
    except ValidationError as error:
        messages = dict(error.messages)
        nested = messages.pop("phase_minutes", None)
        errors = flatten(messages)
        for phase, problem in (nested or {}).items() if isinstance(nested, dict) else ():
            errors[f"phase_{phase}"] = _messages(translate(problem))
        if nested is not None and not isinstance(nested, dict):
            errors["phase_minutes"] = _messages(translate(nested))
        return None, errors
