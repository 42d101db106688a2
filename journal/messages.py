"""Validation messages in the user's language.

marshmallow and webargs produce English messages. The ones our schemas can produce are
listed here as translatable message ids, and `translate()` turns an errors mapping into the
current language just before it is answered (journal.errors). Messages we write ourselves
are translated where they are made.
"""
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

#: marshmallow's built-in messages, as message ids for the catalogs.
BUILT_IN = (
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Invalid type."),
    _l("Invalid input type."),
    _l("Unknown field."),
    _l("Not a valid list."),
    _l("Not a valid string."),
    _l("Not a valid UUID."),
    _l("Not a valid number."),
    _l("Number too large."),
    _l("Not a valid integer."),
    _l("Not a valid boolean."),
    _l("Not a valid date."),
    _l("Not a valid mapping type."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    _l("Send the body as application/json."),
    _l("The body is not valid JSON."),
    _l("This request needs a JSON body."),
)


def translate(errors):
    """A copy of *errors* (nested dicts/lists of messages) in the current language."""
    if isinstance(errors, dict):
        # keys as JSON has them: marshmallow keys a list's errors by index, next to "_schema"
        # for the list itself, and a mix of int and str keys cannot be sorted into JSON
        return {str(key): translate(value) for key, value in errors.items()}
    if isinstance(errors, list):
        return [translate(value) for value in errors]
    if isinstance(errors, str):
        return gettext(errors)
    return str(errors)
