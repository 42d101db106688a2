"""Field types and validators shared by every schema: strict numbers and booleans, checked free
text (no control characters, no national ID numbers), client UUIDs, dates, pagination.

Why strict: the PWA and integrators send JSON; a "7" where a number belongs is a client bug
that should be reported, not guessed at. The web forms send strings, and journal/web/forms.py
turns them into the same JSON values before loading, so both meet these rules.
"""
import unicodedata
from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from .. import clock
from ..config import LIMITS
from ..identifiers import CASE_REF_PATTERN, case_ref_problem, describe_character
from ..national_id import contains_national_id

EARLIEST_DATE = date(2000, 1, 1)

MAX_INT = 2**63 - 1


class _TranslatedErrors:
    """Let fields keep lazy (translatable) messages: resolve and format them when raised."""

    def make_error(self, key, **kwargs):
        return ValidationError(str(self.error_messages[key]).format(**kwargs))


class StrictInteger(_TranslatedErrors, fields.Integer):
    """An integer that must arrive as a JSON number: "7", 7.5 and true are refused, and so is
    anything beyond SQLite's 64-bit integers."""

    default_error_messages = {"range": _l("Number out of range.")}

    def __init__(self, **kwargs):
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.make_error("invalid")
        number = super()._deserialize(value, attr, data, **kwargs)
        if abs(number) > MAX_INT:
            raise self.make_error("range")
        return number


class StrictBoolean(_TranslatedErrors, fields.Boolean):
    """A JSON true or false: "yes", 1 and "true" are refused."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


class Text(_TranslatedErrors, fields.String):
    """Trimmed free text with a maximum length; blank optional text becomes null.

    National ID numbers are refused in every free-text field, not only in case references:
    the journal never stores them (DESIGN.md), and a note is where one would slip in.
    Line breaks are stored as "\n" whatever the client sent.
    """

    default_error_messages = {
        "blank": _l("Must not be blank."),
        "control": _l("Contains control characters."),
        "too_long": _l("Longer than {max} characters."),
    }

    def __init__(self, max_length, *, required=False, **kwargs):
        self.max_length = max_length
        metadata = dict(kwargs.pop("metadata", {}), maxLength=max_length)
        super().__init__(required=required, allow_none=not required, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        # Line breaks become "\n": a browser posting a form sends "\r\n", the offline outbox
        # "\n", and the same note must be stored the same way whichever way it came.
        text = super()._deserialize(value, attr, data, **kwargs).replace("\r\n", "\n").replace("\r", "\n").strip()
        if any(ord(c) < 32 and c not in "\n\r\t" for c in text):
            raise self.make_error("control")
        if not text:
            if self.required:
                raise self.make_error("blank")
            return None
        if len(text) > self.max_length:
            raise self.make_error("too_long", max=self.max_length)
        if contains_national_id(text):
            raise ValidationError(
                str(_l("National ID numbers (CPR or personnummer) are never stored. Use the team's own case reference."))
            )
        return text


class CaseRef(Text):
    """A case reference: checked text in the documented character set (journal/identifiers.py,
    docs/api.md "Case references"), stored in Unicode NFC. A look-alike ("SIL‐0001" with
    U+2010, Cyrillic "С", a zero-width space, a right-to-left override) is refused with the
    character named, rather than stored beside the reference it imitates."""

    default_error_messages = {
        "character": _l(
            "A case reference can hold only the letters A–Z, Æ, Ø, Å, Ä, Ö, Ü, digits and the separators "
            "- / . _ and space. This character is not one of them: %(char)s"
        ),
        "shape": _l("A case reference starts and ends with a letter or a digit, with at most one separator in a row."),
    }

    def __init__(self, *, required=False, **kwargs):
        metadata = dict(kwargs.pop("metadata", {}), pattern=CASE_REF_PATTERN)
        super().__init__(LIMITS["case_ref"], required=required, metadata=metadata, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if text is None:
            return None
        problem = case_ref_problem(text)
        if problem is None:
            return unicodedata.normalize("NFC", text)
        kind, char = problem
        if kind == "character":
            raise ValidationError(str(self.error_messages["character"]) % {"char": describe_character(char)})
        raise self.make_error("shape")


class ClientUUID(fields.UUID):
    """A UUID made on the client (idempotency key), stored as its canonical lowercase string."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid_uuid")
        return str(super()._deserialize(value, attr, data, **kwargs))


class IsoDate(fields.Date):
    """A date; dumps stored ISO strings as they are."""

    def _serialize(self, value, attr, obj, **kwargs):
        if isinstance(value, str):
            return value
        return super()._serialize(value, attr, obj, **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


def past_date(value):
    """Dates of things that happened: not in the future, not before 2000."""
    if value > clock.today():
        raise ValidationError(str(_l("Must not be in the future.")))
    if value < EARLIEST_DATE:
        raise ValidationError(str(_l("Must not be before 2000-01-01.")))


def one_of(choices):
    return validate.OneOf(choices, error=_l("Must be one of: {choices}."))


def between(low, high):
    return validate.Range(min=low, max=high, error=_l("Must be between {min} and {max}."))


def at_most(count):
    return validate.Length(max=count, error=_l("At most {max} items."))


class In(Schema):
    """Base for inputs: unknown keys are an error, not silently dropped."""

    class Meta:
        unknown = RAISE


# --- pagination ---


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=between(1, 100_000))
    per_page = fields.Integer(load_default=50, validate=between(1, LIMITS["per_page"]))


def page_of(item_schema, name):
    """The list envelope {items, total, page, per_page} around *item_schema*."""
    return type(
        name,
        (Schema,),
        {
            "items": fields.List(fields.Nested(item_schema)),
            "total": fields.Integer(),
            "page": fields.Integer(),
            "per_page": fields.Integer(),
        },
    )


