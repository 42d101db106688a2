"""The research export's data dictionary: every exported column, declared once.

Each column says what it means, its type, its allowed values and unit, and what kind of
column it is for de-identification: `pseudonym` (HMAC of an id), `relative_day` (days since
the citizen's first record), `quasi` (a quasi-identifier checked for k-anonymity),
`free_text` (left out unless asked for, then scrubbed) or `value`. The export writes exactly
these columns, the codebook and the Frictionless Table Schemas are generated from them, and a
test checks that no other column can appear — there are no hand-kept column lists elsewhere.
"""
from dataclasses import dataclass, field

from .citizens import GENDERS, GOALS
from .expectations import CONFIDENCES, CONTEXTS, SOURCES
from .meetings import MODES
from .outcomes import KINDS as OUTCOMES
from .sparring.rules import REASONS, REQUEST_STATUSES


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    type: str  # Frictionless type: string, integer, number, boolean
    kind: str = "value"  # pseudonym | relative_day | quasi | free_text | value
    values: tuple = ()
    unit: str = ""
    references: tuple = ()  # (table, column) for foreign keys
    required: bool = False


@dataclass(frozen=True)
class Table:
    name: str
    meaning: str
    columns: tuple
    primary_key: str
    rows: str = field(default="")


CITIZEN = Column("citizen", "Pseudonym of the citizen (HMAC-SHA256 under the study's key)", "string", "pseudonym",
                 references=("citizens", "citizen"), required=True)

TABLES = (
    Table("citizens", "One row per citizen of the enrolled teams (after k-anonymity suppression)", (
        Column("citizen", "Pseudonym of the citizen (HMAC-SHA256 under the study's key)", "string", "pseudonym", required=True),
        Column("team", "Pseudonym of the citizen's team", "string", "quasi", required=True),
        Column("country", "Country of the team's jobcentre (DK or SE); empty if not known", "string", values=("DK", "SE")),
        Column("age_band", "Birth year as a band (10 years; 20 where needed for k-anonymity); empty if unknown", "string", "quasi"),
        Column("gender", "Gender as recorded", "string", "quasi", GENDERS),
        Column("goal", "What the citizen aims for", "string", "quasi", GOALS),
        Column("status", "Case status at export time (closed cases: see closed_day)", "string", "quasi", values=("active", "closed")),
        Column("followup_days", "Days from the citizen's first to last record, as a band (90 days; 180 or 365 where needed "
               "for k-anonymity), e.g. 90-179", "string", "quasi", unit="days"),
        Column("closed_day", "Day the case was closed, from the first record, as a band like followup_days; empty if the "
               "case is open (censored at the last record)", "string", "quasi", unit="days"),
    ), "citizen"),
    Table("meetings", "One row per meeting between a worker and the citizen", (
        Column("meeting", "Pseudonym of the meeting", "string", "pseudonym", required=True),
        CITIZEN,
        Column("worker", "Pseudonym of the worker who held the meeting", "string", "pseudonym", required=True),
        Column("day", "Day of the meeting, counted from the citizen's first record (day 0)", "integer", "relative_day", unit="days"),
        Column("mode", "How the meeting was held", "string", values=MODES),
        Column("participants", "Kinds of people present, separated by |", "string"),
        Column("note", "The worker's short note, scrubbed (only with free text)", "string", "free_text"),
    ), "meeting"),
    Table("expectations", "One row per expectation: one perspective on the citizen's chance of job or education", (
        Column("expectation", "Pseudonym of the entry", "string", "pseudonym", required=True),
        CITIZEN,
        Column("meeting", "Pseudonym of the meeting it was logged at (for a correction: the meeting of the entry it "
               "corrects); empty if none", "string", "pseudonym",
               references=("meetings", "meeting")),
        Column("source", "Whose view it is", "string", values=SOURCES),
        Column("source_person", "Pseudonym of the source's label within this citizen (tells mother and father, or two "
               "doctors, apart; the same label gives the same pseudonym); empty without a label", "string", "pseudonym"),
        Column("value", "Expected chance of job or education within 12 months: 0 no realistic chance … 10 very likely", "integer",
               values=tuple(range(11)), unit="scale points 0-10"),
        Column("confidence", "How sure the view is", "string", values=CONFIDENCES),
        Column("day", "Day the view was expressed, from the citizen's first record", "integer", "relative_day", unit="days"),
        Column("order_in_day", "Order in which the citizen's entries of that day were recorded (1 = first)", "integer"),
        Column("recorded_by", "Pseudonym of the worker who recorded it", "string", "pseudonym"),
        Column("context", "Where it was recorded", "string", values=CONTEXTS),
        Column("supersedes", "Pseudonym of the entry this one corrects; empty if it is not a correction", "string", "pseudonym",
               references=("expectations", "expectation")),
        Column("superseded", "True if a later entry corrected this one (do not use it as a view)", "boolean"),
        Column("source_label", "Free-text label of the source, scrubbed (only with free text)", "string", "free_text"),
        Column("basis", "What the person based the view on, scrubbed (only with free text)", "string", "free_text"),
    ), "expectation"),
    Table("sparring_requests", "Requests for colleague sparring on a citizen", (
        Column("request", "Pseudonym of the request", "string", "pseudonym", required=True),
        CITIZEN,
        Column("reason", "Why sparring was asked for", "string", values=REASONS),
        Column("status", "What became of the request", "string", values=REQUEST_STATUSES),
        Column("day", "Day the request was raised, from the citizen's first record", "integer", "relative_day", unit="days"),
        Column("handled_day", "Day it was done or dismissed, from the citizen's first record", "integer", "relative_day", unit="days"),
    ), "request"),
    Table("sparring_ratings", "Blind ratings given in sparring sessions", (
        Column("rating", "Pseudonym of the rating", "string", "pseudonym", required=True),
        CITIZEN,
        Column("session", "Pseudonym of the session", "string", "pseudonym"),
        Column("rater", "Pseudonym of the worker who rated", "string", "pseudonym"),
        Column("value", "The blind rating 0-10", "integer", values=tuple(range(11)), unit="scale points 0-10"),
        Column("day", "Day of the rating, from the citizen's first record", "integer", "relative_day", unit="days"),
    ), "rating"),
    Table("actions", "Actions agreed in sparring", (
        Column("action", "Pseudonym of the action", "string", "pseudonym", required=True),
        CITIZEN,
        Column("owner", "Pseudonym of the worker who owns it", "string", "pseudonym"),
        Column("day", "Day it was agreed, from the citizen's first record", "integer", "relative_day", unit="days"),
        Column("due_day", "Day it was due, from the citizen's first record", "integer", "relative_day", unit="days"),
        Column("done_day", "Day it was done, from the citizen's first record; empty if not done", "integer", "relative_day", unit="days"),
        Column("text", "What was agreed, scrubbed (only with free text)", "string", "free_text"),
    ), "action"),
    Table("outcomes", "What happened to the citizen", (
        Column("outcome", "Pseudonym of the outcome", "string", "pseudonym", required=True),
        CITIZEN,
        Column("kind", "What happened", "string", "quasi", OUTCOMES),
        Column("day", "Day it was observed, from the citizen's first record", "integer", "relative_day", unit="days"),
        Column("note", "Note, scrubbed (only with free text)", "string", "free_text"),
    ), "outcome"),
)


def table(name):
    return next(t for t in TABLES if t.name == name)


def columns(table_, free_text=False):
    """The columns an export writes for *table_* with these options."""
    return [c for c in table_.columns if free_text or c.kind != "free_text"]


def codebook_rows(free_text=False):
    """codebook.csv: table, column, meaning, type, allowed values, unit, de-identification."""
    for table_ in TABLES:
        for column in columns(table_, free_text):
            yield {
                "table": table_.name,
                "column": column.name,
                "meaning": column.meaning,
                "type": column.type,
                "allowed_values": "|".join(map(str, column.values)),
                "unit": column.unit,
                "deidentification": column.kind,
            }


def table_schema(table_, free_text=False):
    """A Frictionless Table Schema for *table_*."""
    fields = []
    foreign_keys = []
    for column in columns(table_, free_text):
        spec = {"name": column.name, "type": column.type, "description": column.meaning}
        constraints = {}
        if column.values and column.type == "string":
            constraints["enum"] = list(column.values)
        if column.values and column.type == "integer":
            constraints.update(minimum=min(column.values), maximum=max(column.values))
        if column.required:
            constraints["required"] = True
        if constraints:
            spec["constraints"] = constraints
        fields.append(spec)
        if column.references and column.references[0] != table_.name:
            foreign_keys.append(
                {"fields": column.name, "reference": {"resource": column.references[0], "fields": column.references[1]}}
            )
    schema = {"fields": fields, "primaryKey": table_.primary_key, "missingValues": [""]}
    if foreign_keys:
        schema["foreignKeys"] = foreign_keys
    return schema
