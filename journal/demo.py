"""Fictitious demo data: two teams, six users and thirty citizens with a year of history.

Why: a new user, a trainer or a reviewer should meet the product's story on the first page,
without typing a year of meetings. The demo shows what the journal is for (DESIGN.md "Why it
exists"):

- **Clashes are normal and visible.** In "Unge Silkeborg" several young people have a
  collaborator who expects much less than the worker (a GP who doubts work capacity, district
  psychiatry, the family department, a shielding father) or much more (a mother who pushes, a
  young person with more faith than the worker). With the default gap threshold (4) eight
  active citizens clash, and the lead's overview has something to sort.
- **Prompts catch quiet trouble.** SIL-0008: the worker's own view fell from 6 to 3 after a
  relapse (`drop`). SIL-0009: everyone has expected almost nothing for months and nobody has
  talked about it (`stale_low`).
- **Calm cases are calm.** Most citizens have no clash: views move together, or an old
  disagreement was resolved (SIL-0013: the GP came round after an assessment).
- **History is kept.** A doctor's view typed wrongly is corrected by a new entry that
  supersedes it (SIL-0007); standalone updates sit between meetings; a few citizens are
  closed with an outcome; one has an earlier outcome that did not last.
- **Views are personal.** Each citizen has a case owner (Mads or Sara). On SIL-0001 Sara once
  covered for Mads and rated herself: her view stands beside his, by name, and counts in the
  spread; the gaps are still measured from Mads's view.
- **Recusal.** Sara knows SIL-0010's family privately, has declared herself recused and sees
  nothing of the case; Mads is the primary worker.
- **Two countries.** "Etablering Malmö" is a Swedish establishment team with its own
  municipality, language and a couple of clashes, invisible to the Danish team.

Every person, case reference and text here is invented. Case references are team-internal
("SIL-0001"), never anything shaped like a CPR number or personnummer. Values and ids come from
a table and `random.Random(2026)`, so two loads give the same data apart from dates, which are
relative to `clock.today()` and never in the future.
"""
import json
import random
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from . import audit, clock, recusals, users
from .db import transaction
from .expectations import CONFIDENCES
from .idempotency import content_hash
from .identifiers import unique_ref_key
from .meetings import MODES
from .sparring import requests

PASSWORD = "demo-journal-2026"

TEAMS = (
    {"name": "Unge Silkeborg", "municipality": "Silkeborg", "locale": "da"},
    {"name": "Etablering Malmö", "municipality": "Malmö", "locale": "sv"},
)
DA, SV = TEAMS[0]["name"], TEAMS[1]["name"]

#: (username, role, team name or None, display name, locale), in the order logins are printed.
USERS = (
    ("lea", "lead", DA, "Lea Brandstrup", "da"),
    ("mads", "worker", DA, "Mads Kjærsgaard", "da"),
    ("sara", "worker", DA, "Sara Lindvig", "da"),
    ("nils", "worker", SV, "Nils Ekdahl", "sv"),
    ("rita", "researcher", None, "Rita Bjørnholt", "en"),
    ("adam", "admin", None, "Adam Hovmand", "da"),
)
LOGINS = [(username, role, team) for username, role, team, _name, _locale in USERS]

#: Short names for the collaborators a profile refers to: alias -> (source kind, label).
SOURCES = {
    "da": {
        "citizen": ("citizen", None),
        "doctor": ("doctor", "egen læge"),
        "psych": ("psychiatry", "distriktspsykiatrien"),
        "mother": ("parent", "mor"),
        "father": ("parent", "far"),
        "family": ("other_department", "familieafdelingen"),
        "school": ("education", "FGU-skolen"),
        "employer": ("employer", "praktikvirksomhed"),
        "mentor": ("other", "mentor"),
    },
    "sv": {
        "citizen": ("citizen", None),
        "doctor": ("doctor", "vårdcentralen"),
        "psych": ("psychiatry", "vuxenpsykiatrin"),
        "social": ("other_department", "socialtjänsten"),
        "sfi": ("education", "SFI"),
        "employer": ("employer", "praktikplats"),
        "spouse": ("relative", "make/maka"),
    },
}


@dataclass
class Profile:
    """One citizen's story. Each list in `views` has one value per meeting (None: not there).

    `worker` is the primary worker's own view at each meeting; `updates` are standalone entries
    `(days_ago, alias, value, basis)`; `correct` is `(meeting_index, alias, new_value, basis)`:
    the entry of that meeting is superseded by a correction. `story` is the last meeting's note.
    """

    case_ref: str
    name: str
    born: int
    gender: str
    goal: str
    worker_username: str
    worker: list
    views: dict = field(default_factory=dict)
    story: str | None = None
    start: int | None = None  # days ago of the first meeting (default: 240..350)
    end: int | None = None  # days ago of the last meeting (default: 5..35)
    updates: list = field(default_factory=list)
    correct: tuple | None = None
    closed: tuple | None = None  # (outcome kind, outcome note): the case is closed
    outcome: tuple | None = None  # (days_ago, kind, note): an outcome on an active case
    recused: str | None = None  # username recused from this citizen
    modes: dict = field(default_factory=dict)  # meeting index -> mode
    #: a colleague's own views of the citizen (they covered a meeting, or took part in one):
    #: (days_ago, username, value, basis); worker views are personal, so these stand beside
    #: the case owner's, by name
    colleagues: list = field(default_factory=list)


P = Profile
PROFILES = {
    DA: [
        # --- clashes ------------------------------------------------------------------
        P("SIL-0001", "Jonas Krogsbæk", 2001, "male", "job", "mads", [5, 6, 7, 7],
          {"citizen": [6, 7, 8, 8], "doctor": [None, 3, None, None]},
          story="Jonas vil gerne i praktik på lageret. Lægen anbefaler højst 10 timer om ugen.",
          updates=[(9, "doctor", 2, "Statusattest: lægen vurderer, at angsten skal behandles før arbejde.")],
          colleagues=[(40, "sara", 4, "Dækkede for Mads i ferien. Jonas virkede presset af lægens udmelding.")]),
        P("SIL-0002", "Amalie Rosendal", 2004, "female", "job", "sara", [4, 3, 3],
          {"mother": [8, 9, 9], "citizen": [5, 4, 4]},
          story="Mor mener, Amalie skal have fuldtidsjob nu. Amalie selv er i tvivl og sover dårligt."),
        P("SIL-0003", "Malte Grønkjær", 2003, "male", "education", "mads", [6, 7, 7, 8],
          {"father": [3, 2, None, 2], "citizen": [6, 7, 7, 8]},
          story="Far vil skåne Malte efter mobningen i folkeskolen. Malte har selv søgt ind på tømreruddannelsen.",
          modes={0: "home_visit", 3: "home_visit"}),
        P("SIL-0004", "Sofie Aagaard", 2005, "female", "education", "sara", [5, 6, 7],
          {"family": [3, 2, 2], "citizen": [6, 7, 7]},
          story="Familieafdelingen ser stadig et stort støttebehov. Sofie møder stabilt på FGU."),
        P("SIL-0005", "Emil Thorsø", 2000, "male", "job", "mads", [6, 6, 7, 6],
          {"psych": [2, None, 2, 2], "citizen": [7, 7, 8, 7]},
          story="Psykiatrien er bekymret for stress ved fuld tid. Emil vil prøve 15 timer i en cykelbutik."),
        P("SIL-0006", "Nanna Vibholm", 2002, "female", "education", "sara", [4, 3, 3],
          {"citizen": [8, 8, 9], "school": [None, 6, 7]},
          story="Nanna er sikker på, at hun kan gennemføre. Skolen er positiv; jeg er mere forbeholden."),
        P("SIL-0007", "Oliver Hedegaard", 1999, "male", "job", "mads", [6, 7],
          {"doctor": [None, 8], "citizen": [7, 7]}, start=120, end=20,
          correct=(1, "doctor", 3, "Rettelse: tastefejl. Lægeerklæringen siger 3, ikke 8."),
          story="Lægeerklæring modtaget. Oliver vil gerne tilbage til chaufførjobbet."),
        # --- prompts ------------------------------------------------------------------
        P("SIL-0008", "Ida Mørkeberg", 2003, "female", "job", "sara", [7, 7, 6],
          {"citizen": [7, 8, 7], "employer": [None, 7, 6]}, start=280, end=40,
          updates=[(9, "worker", 3, "Tilbagefald: Ida er sygemeldt fra praktikken igen.")],
          story="Praktikken i børnehaven går godt, men Ida er træt om eftermiddagen."),
        P("SIL-0009", "Kasper Lynggaard", 1999, "male", "job", "mads", [4, 2, 1, 2],
          {"citizen": [3, 2, 2, 3], "doctor": [None, 2, None, 1]}, start=320, end=18,
          story="Kasper har svært ved at se sig selv i arbejde. Ingen nye idéer denne gang."),
        # --- calm -----------------------------------------------------------------------
        P("SIL-0010", "Freja Stenhøj", 2004, "female", "education", "mads", [5, 5, 6],
          {"citizen": [6, 6, 7]}, recused="sara",
          story="Freja vil gerne være social- og sundhedshjælper. Vi aftalte brobygning."),
        P("SIL-0011", "William Fjeldsø", 2002, "male", "job", "sara", [3, 5, 6, 8],
          {"citizen": [5, 6, 7, 8], "employer": [None, None, 7, 8]},
          story="Virksomheden vil gerne ansætte William i løntilskud efter praktikken."),
        P("SIL-0012", "Clara Bækgaard", 2005, "female", "education", "mads", [6, 6, 7],
          {"citizen": [7, 7, 7]}, outcome=(200, "education", "Startede på hf, stoppede efter to måneder."),
          story="Clara vil prøve igen med en erhvervsuddannelse i august."),
        P("SIL-0013", "Lucas Engholm", 2000, "male", "job", "sara", [6, 6, 6, 6],
          {"doctor": [2, None, 4, 5], "citizen": [6, 6, 7, 6]},
          story="Lægen er mere positiv efter afklaringen. Vi er enige om en plan med få timer."),
        P("SIL-0014", "Alma Kragholm", 2006, "female", "education", "mads", [7, 8, 8],
          {"school": [7, 8, 9], "citizen": [8, 8, 9]},
          story="Alma klarer sig godt på FGU og vil søge ind på pædagogisk assistent."),
        P("SIL-0015", "Noah Vestbjerg", 2001, "other", "job", "sara", [5, 5],
          {"citizen": [6, 5]}, start=150, modes={1: "written"},
          story="Skriftlig opfølgning: Noah har søgt tre jobs denne måned."),
        P("SIL-0016", "Mathilde Hald", 2004, "female", "education", "mads", [4, 5, 5],
          {"citizen": [5, 5, 6], "mother": [4, None, 5]},
          story="Mathilde overvejer frisøruddannelsen. Mor støtter op."),
        P("SIL-0017", "Viktor Ravnholt", 1999, "male", "job", "sara", [8, 8, 9],
          {"employer": [8, 9, 9]},
          story="Viktor får gode tilbagemeldinger fra værkstedet. Talte om ordinære timer."),
        P("SIL-0018", "Ella Skovsende", 2007, "female", "education", "mads", [5, 6],
          {"citizen": [7, 7]}, start=50, end=10,
          story="Ny borger. Ella vil gerne på efterskole-lignende forløb eller FGU."),
        # --- closed -------------------------------------------------------------------
        P("SIL-0019", "Anton Bredsten", 2000, "male", "job", "sara", [5, 7, 8, 9],
          {"employer": [None, 7, 8, 9], "citizen": [6, 7, 8, 9]}, start=330, end=60,
          closed=("job", "Fastansat 25 timer om ugen i malerfirmaet."),
          story="Anton er tilbudt fast ansættelse efter praktikken."),
        P("SIL-0020", "Laura Mosegaard", 2003, "female", "education", "mads", [4, 6, 7],
          {"school": [None, 6, 8], "mentor": [5, 6, None]}, start=300, end=75,
          closed=("education", "Optaget på SOSU-uddannelsen."),
          story="Laura er optaget på SOSU-skolen fra næste måned."),
    ],
    SV: [
        P("MAL-0001", "Yonas Haile", 1988, "male", "job", "nils", [6, 7, 7],
          {"citizen": [8, 8, 9], "psych": [3, None, None]},
          updates=[(12, "psych", 2, "Utlåtande: behandlingen för PTSD behöver fortsätta före arbetsträning.")],
          story="Yonas vill börja som busschaufför. Psykiatrin rekommenderar att vänta."),
        P("MAL-0002", "Leyla Darwish", 1992, "female", "job", "nils", [4, 3, 3],
          {"sfi": [7, 8, 8], "citizen": [6, 6, 5]},
          story="SFI-läraren ser stora framsteg. Jag är osäker på om tempot räcker för en anställning."),
        P("MAL-0003", "Ahmad Karimi", 1979, "male", "job", "nils", [5, 4, 4],
          {"citizen": [9, 9, 9]},
          story="Ahmad är säker på att han får jobb som elektriker, men utbildningen är inte validerad."),
        P("MAL-0004", "Samira Osman", 1995, "female", "education", "nils", [6, 7, 7],
          {"sfi": [6, 7, 8], "citizen": [7, 8, 8]},
          story="Samira har klarat SFI D och söker till undersköterskeutbildningen."),
        P("MAL-0005", "Tesfay Gebre", 1998, "male", "job", "nils", [5, 6],
          {"employer": [None, 6]}, start=140,
          story="Praktiken på lagret har börjat bra."),
        P("MAL-0006", "Nour Al-Hassan", 1985, "female", "job", "nils", [7, 8, 8, 8],
          {"employer": [7, 8, 9, 8], "citizen": [8, 8, 8, 9]},
          story="Arbetsgivaren pratar om en visstidsanställning i köket."),
        P("MAL-0007", "Dawit Tesfaye", 1970, "male", "job", "nils", [4, 4, 5],
          {"citizen": [5, 5, 6], "doctor": [4, None, 5]},
          story="Ryggen är bättre. Vi planerar arbetsträning på halvtid."),
        P("MAL-0008", "Hana Yusuf", 1990, "female", "job", "nils", [6, 6, 7],
          {"spouse": [5, 6, 6], "citizen": [6, 7, 7]}, modes={1: "home_visit"},
          story="Barnomsorgen är ordnad. Hana kan ta förmiddagspass."),
        P("MAL-0009", "Omar Farah", 1966, "male", "job", "nils", [5, 5],
          {"citizen": [6, 6]}, start=90, end=14,
          story="Omar vill hitta arbete inom städ. Vi tittar på en yrkessvenska-kurs."),
        P("MAL-0010", "Aisha Rahimi", 1997, "female", "education", "nils", [5, 6, 8],
          {"sfi": [None, 7, 9], "citizen": [6, 7, 8]}, start=310, end=70,
          closed=("education", "Antagen till vård- och omsorgsutbildningen."),
          story="Aisha har fått besked om antagning."),
    ],
}
del P

MODE_WEIGHTS = (45, 12, 23, 10, 10)  # in the order of meetings.MODES

#: Short reasons, by locale and a coarse band of the value (low 0–3, mid 4–6, high 7–10).
BASIS = {
    "da": {
        "low": [
            "Mange afbrud i forløbet det seneste halve år.",
            "Helbredet fylder meget lige nu.",
            "Har svært ved at møde op til aftaler.",
            "Vurderer, at der først skal ro på hjemmefronten.",
        ],
        "mid": [
            "Motivationen er der, men stabiliteten mangler.",
            "Afhænger af, om praktikken kommer i gang.",
            "Har klaret korte forløb før.",
            "Mangler afklaring af skånehensyn.",
        ],
        "high": [
            "Møder stabilt og tager selv initiativ.",
            "Har konkrete planer og et netværk, der bakker op.",
            "God tilbagemelding fra praktikstedet.",
            "Har været i job før og savner det.",
        ],
    },
    "sv": {
        "low": [
            "Hälsan tar mycket kraft just nu.",
            "Många avbrott den senaste tiden.",
            "Behöver mer stöd innan arbete är realistiskt.",
        ],
        "mid": [
            "Motiverad, men svenskan behöver utvecklas.",
            "Beror på om praktiken blir av.",
            "Har arbetslivserfarenhet från hemlandet.",
        ],
        "high": [
            "Kommer alltid i tid och tar egna initiativ.",
            "Bra återkoppling från praktikplatsen.",
            "Tydlig plan och stöd från familjen.",
        ],
    },
}
NOTES = {
    "da": [
        "Gennemgik planen og næste skridt.",
        "Talte om trivsel og døgnrytme.",
        "Aftalte at søge to praktikpladser.",
        "Opfølgning på sidste aftale; næste møde om en måned.",
    ],
    "sv": [
        "Gick igenom planen och nästa steg.",
        "Pratade om SFI och praktik.",
        "Uppföljning; nästa möte om en månad.",
    ],
}


def _band(value):
    return "low" if value <= 3 else "mid" if value <= 6 else "high"


def _stamp(day, hour, minute=0):
    """A UTC timestamp for a local time on *day*, never later than now."""
    moment = datetime(day.year, day.month, day.day, hour, minute, tzinfo=clock.LOCAL_ZONE)
    return clock.timestamp(min(moment, clock.now_utc()))


class _Loader:
    def __init__(self, db):
        self.db = db
        self.rng = random.Random(2026)
        self.today = clock.today()
        self.counts = {"meetings": 0, "expectations": 0, "outcomes": 0}

    def uuid(self):
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def meeting_days(self, profile):
        """Days ago of each meeting: spread from start to end, oldest first, with jitter."""
        n = len(profile.worker)
        start = profile.start if profile.start is not None else self.rng.randint(240, 350)
        end = profile.end if profile.end is not None else self.rng.randint(5, 35)
        days = []
        for i in range(n):
            at = start - (start - end) * i / (n - 1) if n > 1 else end
            jitter = self.rng.randint(-6, 6) if 0 < i < n - 1 else 0
            days.append(max(1, round(at) + jitter))
        return days

    @staticmethod
    def participants(mode, present, aliases):
        """The source kinds present: those who gave a view, and the citizen unless written."""
        kinds = {aliases[alias][0] for alias, _value in present}
        if mode != "written":
            kinds.add("citizen")
        return sorted(kinds)

    def confidence(self, source, value):
        weights = (1, 3, 2) if source == "worker" else (2, 3, 2)
        if value <= 2 or value >= 9:
            weights = (weights[0], weights[1], weights[2] + 1)
        return self.rng.choices(CONFIDENCES, weights)[0]

    def basis(self, locale, value, chance):
        if self.rng.random() < chance:
            return self.rng.choice(BASIS[locale][_band(value)])
        return None

    def expectation(self, citizen_id, user_id, source, label, value, day, recorded_at, *,
                    meeting_id=None, context="meeting", basis=None, supersedes=None, confidence=None):
        row = {
            "id": self.uuid(),
            "citizen_id": citizen_id,
            "meeting_id": meeting_id,
            "source": source,
            "source_label": label,
            "value": value,
            "confidence": confidence or self.confidence(source, value),
            "basis": basis,
            "observed_on": day.isoformat(),
            "recorded_by": user_id,
            "recorded_at": recorded_at,
            "context": context,
            "supersedes": supersedes,
        }
        row["content_hash"] = content_hash(row)
        self.db.table("expectation").insert(row)
        self.counts["expectations"] += 1
        return row

    def citizen(self, team, profile, user_ids):
        locale = team["locale"]
        aliases = SOURCES[locale]
        worker_id = user_ids[profile.worker_username]
        days = self.meeting_days(profile)
        first = self.today - timedelta(days=days[0])
        created = _stamp(first - timedelta(days=self.rng.randint(3, 20)), 10)
        citizen_id = self.db.table("citizen").insert(
            {
                "team_id": team["id"],
                "case_ref": profile.case_ref,
                "ref_key": unique_ref_key(profile.case_ref),
                "display_name": profile.name,
                "birth_year": profile.born,
                "gender": profile.gender,
                "goal": profile.goal,
                "status": "active",
                "primary_worker_id": worker_id,
                "created_by": worker_id,
                "created_at": created,
                "updated_at": created,
            }
        ).last_pk
        last_day = first
        for index, days_ago in enumerate(days):
            day = self.today - timedelta(days=days_ago)
            last_day = day
            recorded_at = _stamp(day, self.rng.randint(9, 15), self.rng.choice((0, 15, 30, 45)))
            present = [
                (alias, values[index])
                for alias, values in profile.views.items()
                if index < len(values) and values[index] is not None
            ]
            mode = profile.modes.get(index) or self.rng.choices(MODES, MODE_WEIGHTS)[0]
            is_last = index == len(days) - 1
            note = profile.story if is_last else (
                self.rng.choice(NOTES[locale]) if self.rng.random() < 0.4 else None
            )
            meeting = {
                "id": self.uuid(),
                "citizen_id": citizen_id,
                "worker_id": worker_id,
                "held_on": day.isoformat(),
                "mode": mode,
                "participants": json.dumps(self.participants(mode, present, aliases)),
                "note": note,
                "recorded_at": recorded_at,
            }
            meeting["content_hash"] = content_hash(meeting)
            self.db.table("meeting").insert(meeting)
            self.counts["meetings"] += 1
            entries = {}
            worker_value = profile.worker[index]
            entries["worker"] = self.expectation(
                citizen_id, worker_id, "worker", None, worker_value, day, recorded_at,
                meeting_id=meeting["id"], basis=self.basis(locale, worker_value, 0.4),
            )
            for alias, value in present:
                source, label = aliases[alias]
                entries[alias] = self.expectation(
                    citizen_id, worker_id, source, label, value, day, recorded_at,
                    meeting_id=meeting["id"], basis=self.basis(locale, value, 0.5),
                )
            if profile.correct and profile.correct[0] == index:
                _i, alias, value, basis = profile.correct
                wrong = entries[alias]
                source, label = aliases[alias]
                later = 1 if days_ago > 1 else 0  # typed in the day after
                self.expectation(
                    citizen_id, worker_id, source, label, value, day,
                    _stamp(day + timedelta(days=later), 8, 30),
                    context="update", basis=basis, supersedes=wrong["id"],
                    confidence=wrong["confidence"],
                )
        for days_ago, alias, value, basis in profile.updates:
            day = self.today - timedelta(days=days_ago)
            source, label = ("worker", None) if alias == "worker" else aliases[alias]
            self.expectation(
                citizen_id, worker_id, source, label, value, day, _stamp(day, 11, 15),
                context="update", basis=basis,
            )
        for days_ago, username, value, basis in profile.colleagues:
            day = self.today - timedelta(days=days_ago)
            self.expectation(
                citizen_id, user_ids[username], "worker", None, value, day, _stamp(day, 10, 45),
                context="update", basis=basis,
            )
        if profile.outcome:
            days_ago, kind, note = profile.outcome
            self.outcome(citizen_id, worker_id, kind, self.today - timedelta(days=days_ago), note)
        if profile.closed:
            kind, note = profile.closed
            observed = last_day + timedelta(days=self.rng.randint(3, 10))
            self.outcome(citizen_id, worker_id, kind, observed, note)
            closed_at = _stamp(observed + timedelta(days=self.rng.randint(2, 7)), 14)
            self.db.execute(
                "UPDATE citizen SET status = 'closed', closed_at = ?, updated_at = ? WHERE id = ?",
                [closed_at, closed_at, citizen_id],
            )
        return citizen_id

    def outcome(self, citizen_id, user_id, kind, day, note):
        row = {
            "id": self.uuid(),
            "citizen_id": citizen_id,
            "kind": kind,
            "observed_on": day.isoformat(),
            "note": note,
            "recorded_by": user_id,
            "recorded_at": _stamp(day, 13),
        }
        row["content_hash"] = content_hash(row)
        self.db.table("outcome").insert(row)
        self.counts["outcomes"] += 1


def seed(db):
    """Load the demo into the migrated database *db*, in one transaction.

    :returns: LOGINS, or None (and no change) when the demo is already loaded
    """
    if users.team_by_name(db, TEAMS[0]["name"]) is not None:
        return None
    loader = _Loader(db)
    with transaction(db):
        teams = {}
        for spec in TEAMS:
            team_id = users.create_team(db, spec["name"], spec["municipality"], spec["locale"])
            teams[spec["name"]] = users.get_team(db, team_id)
        user_ids = {}
        for username, role, team_name, display_name, locale in USERS:
            team_id = teams[team_name]["id"] if team_name else None
            user_ids[username] = users.create_user(db, username, PASSWORD, role, team_id, display_name, locale)
        # The teams and their people existed before the year of history that follows.
        since = _stamp(loader.today - timedelta(days=400), 9)
        db.execute(f"UPDATE team SET created_at = ? WHERE id IN ({','.join('?' * len(teams))})",
                   [since, *(t["id"] for t in teams.values())])
        db.execute(f"UPDATE user SET created_at = ? WHERE id IN ({','.join('?' * len(user_ids))})",
                   [since, *user_ids.values()])
        citizens = 0
        for team_name, profiles in PROFILES.items():
            for profile in profiles:
                citizen_id = loader.citizen(teams[team_name], profile, user_ids)
                citizens += 1
                if profile.recused:
                    actor = users.get(db, user_ids[profile.recused])
                    citizen = db.table("citizen").get(citizen_id)
                    reason = "Kender familien privat (nabo)." if team_name == DA else "Känner familjen privat."
                    recusals.declare(db, actor, citizen, reason=reason)
        _sparring_queue(db, user_ids)
        from . import studies

        # thirty citizens: the study's smallest k is 3, so a demo export still shows something
        studies.upsert(db, user_ids["adam"], "Troen på jobchancen 2026", [t["name"] for t in TEAMS], ["rita"], min_k=3)
        audit.record(
            db, None, "demo.seed", detail={"teams": len(teams), "users": len(user_ids), "citizens": citizens, **loader.counts},
        )
    return LOGINS


def _sparring_queue(db, user_ids):
    """The rules' prompts become requests, as they would have when the history was logged,
    plus one worker's own question and an action from an earlier session, one overdue, so
    the lead has a queue to run a session from and "my actions" has something in it."""
    for row in db.query("SELECT * FROM citizen WHERE status = 'active' ORDER BY id"):
        worker = users.get(db, row["primary_worker_id"]) if row["primary_worker_id"] else None
        if worker is not None:
            for request_id in requests.raise_prompts(db, worker, row):
                # raised when the latest entry was logged, as it would have been
                db.execute(
                    "UPDATE sparring_request SET created_at = (SELECT MAX(recorded_at) FROM expectation "
                    "WHERE citizen_id = ?), updated_at = created_at WHERE id = ?",
                    [row["id"], request_id],
                )
    mads = users.get(db, user_ids["mads"])
    asked = db.execute("SELECT * FROM citizen WHERE case_ref = 'SIL-0014'").fetchone()
    if asked:
        citizen = db.table("citizen").get(asked[0])
        now = clock.timestamp()
        db.table("sparring_request").insert(
            {"citizen_id": citizen["id"], "requested_by": mads.id, "reason": "manual",
             "detail": "Hvordan får vi arbejdsgiveren til at tro på praktikken?", "status": "open",
             "created_at": now, "updated_at": now}
        )
        for text, days in (("Ring til praktikstedet sammen med borgeren", -3), ("Aftal møde med egen læge", 10)):
            db.table("action").insert(
                {"citizen_id": citizen["id"], "text": text, "owner_id": mads.id,
                 "due_on": (clock.today() + timedelta(days=days)).isoformat(), "worker_value_at_creation": 6,
                 "created_by": user_ids["lea"], "created_at": now}
            )
