"""HTML form posts → the same dicts the JSON API takes, so one marshmallow schema validates both.

Browsers send every value as a string; the API schemas insist on JSON numbers. These pure
functions turn the form's strings into numbers where a number is expected (leaving anything
that is not a number as it is, for the schema to refuse) and assemble nested structures such
as a meeting's expectations from flat field names.
"""

#: Collaborator rows on the log-meeting form: c0_…, c1_…, … up to this many.
MAX_ROWS = 8
MEETING_TEXT = ("note", "reflection_usual", "reflection_different", "citizen_explanation")


def number(value):
    """"7" → 7; anything else unchanged (None, "", "seven") so the schema says what is wrong."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return value


def optional(value):
    """An empty form field means "not given"."""
    return None if value is None or (isinstance(value, str) and not value.strip()) else value


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
