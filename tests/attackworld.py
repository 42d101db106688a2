"""The attack suites' world: two teams, a user for every role the access rules tell apart,
and one object of every kind the routes take, each with text that appears nowhere else.

The text is what the suites search responses for: a citizen's case ref, name, meeting note,
expectation basis and sparring question are that citizen's data, and a user who may not see
the citizen must never get any of it back (tests/test_attack_matrix.py). The objects are
made through the same domain functions the routes call, so they are what the app would store.

Team A: a lead, the case owner of its three citizens (one of them closed), a colleague who is no one's case owner
and takes part in no session, and a worker recused from the second citizen. Team B: a lead,
a worker (case owner of its citizen) and a worker recused from it. Plus an admin, a researcher
of a study of team A, and a second researcher whose study (of team B) the first may not see.
"""
import sqlite3
import uuid
from dataclasses import dataclass, field

from journal import casework, citizens, clock, exportjobs, studies, users
from journal.export import Options
from journal.schemas.core import MeetingIn
from journal.sparring import sessions
from journal.sparring.rules import PHASES

from . import factories

#: The roles of the attack matrix: who, and which world user plays them (None: not logged in).
ROLES = {
    "anonymous": None,
    "team_worker": "colleague",
    "case_owner": "owner",
    "recused_worker": "recused",
    "other_team_worker": "other_worker",
    "lead": "lead",
    "other_team_lead": "other_lead",
    "admin": "admin",
    "researcher": "researcher",
}

MISSING = 987_654_321  # an id no object has
MISSING_EXPORT = "00000000-0000-4000-8000-000000000000"


@dataclass
class World:
    users: dict = field(default_factory=dict)  # name → users.User
    teams: dict = field(default_factory=dict)  # "A"/"B" → id
    citizens: dict = field(default_factory=dict)  # "own"/"recused"/"other" → row
    secrets: dict = field(default_factory=dict)  # citizen key → strings only its viewers may get
    recusals: dict = field(default_factory=dict)  # citizen key → recusal id
    requests: dict = field(default_factory=dict)  # citizen key → an open sparring request id
    sessions: dict = field(default_factory=dict)  # "A"/"B" → session id
    session_members: dict = field(default_factory=dict)  # "A"/"B" → ids of its lead and participants
    cases: dict = field(default_factory=dict)  # citizen key → (session id, case id)
    actions: dict = field(default_factory=dict)  # citizen key → action id
    studies: dict = field(default_factory=dict)  # "mine"/"foreign" → study name
    exports: dict = field(default_factory=dict)  # "mine"/"foreign" → export id

    def user(self, role):
        name = ROLES[role]
        return self.users[name] if name else None


def _meeting(secret, today):
    """A loaded meeting body whose free text is the citizen's *secret* strings."""
    return MeetingIn().load(
        {
            "id": str(uuid.uuid4()),
            "held_on": today,
            "mode": "in_person",
            "participants": ["citizen", "doctor"],
            "note": secret["note"],
            "expectations": [
                {"id": str(uuid.uuid4()), "source": "worker", "value": 8, "confidence": "medium", "basis": secret["basis"]},
                {"id": str(uuid.uuid4()), "source": "doctor", "source_label": secret["label"], "value": 2, "confidence": "low"},
            ],
        }
    )


def build(app, db):
    """Make the world in *db* (the app's database); returns a World."""
    w = World()
    w.teams["A"] = factories.make_team(db, "Team Alfa", "Silkeborg")
    w.teams["B"] = factories.make_team(db, "Team Bravo", "Malmö", locale="sv")
    for name, role, team in [
        ("lead", "lead", "A"),
        ("owner", "worker", "A"),
        ("colleague", "worker", "A"),
        ("recused", "worker", "A"),
        ("other_lead", "lead", "B"),
        ("other_worker", "worker", "B"),
        ("other_recused", "worker", "B"),
        ("admin", "admin", None),
        ("researcher", "researcher", None),
        ("researcher2", "researcher", None),
    ]:
        w.users[name] = factories.make_user(
            db, role, w.teams.get(team), f"atk-{name.replace('_', '-')}", display_name=f"Atk {name}"
        )
    places = {"own": ("A", "owner"), "recused": ("A", "owner"), "closed": ("A", "owner"), "other": ("B", "other_worker")}
    for key, (team, owner) in places.items():
        tag = {"own": "QZOWN", "recused": "QZREC", "closed": "QZCLO", "other": "QZOTH"}[key]
        w.secrets[key] = {
            "case_ref": f"{tag}-7301",
            "display_name": f"Zenobia {tag.title()}son",
            "note": f"note-{tag}-about-the-internship",
            "basis": f"basis-{tag}-believes-in-it",
            "label": f"dr-{tag}",
            "question": f"question-{tag}-for-colleagues",
            "outcome": f"outcome-{tag}-started-school",
            "action": f"action-{tag}-call-the-employer",
        }
        citizen_id = factories.make_citizen(
            db, w.teams[team], w.secrets[key]["case_ref"], w.users[owner].id, display_name=w.secrets[key]["display_name"]
        )
        w.citizens[key] = db.table("citizen").get(citizen_id)

    today = clock.today().isoformat()
    with app.test_request_context():
        for key, (team, owner) in places.items():
            user = w.users[owner]
            citizen = w.citizens[key]
            casework.log_meeting(db, user, citizen, _meeting(w.secrets[key], today))
            casework.record_outcome(db, user, citizen, {"kind": "education", "observed_on": clock.today(), "note": w.secrets[key]["outcome"]})
            w.requests[key] = casework.request_sparring(db, user, citizen, w.secrets[key]["question"])["id"]
        # a case the lead closed (it can be reopened)
        citizens.close(db, w.users["lead"], w.citizens["closed"], {"reason": "moved", "closed_on": clock.today()})
        # recusals: team A's worker from the second citizen, team B's from theirs
        _, recusal = casework.declare_recusal(db, w.users["recused"], w.citizens["recused"], {})
        w.recusals["recused"] = recusal["id"]
        _, recusal = casework.declare_recusal(db, w.users["other_recused"], w.citizens["other"], {})
        w.recusals["other"] = recusal["id"]
        w.recusals["own"] = None

        # sessions: team A's (lead, the owner and the recused worker; both A citizens), team B's
        for team, lead, participants, keys in [
            ("A", "lead", ["owner", "recused"], ["own", "recused"]),
            ("B", "other_lead", ["other_worker"], ["other"]),
        ]:
            lead_user = w.users[lead]
            taken = [
                casework.request_sparring(db, w.users[places[k][1]], w.citizens[k], f"session-{k}")["id"] for k in keys
            ]
            session_id, _ = sessions.create(db, lead_user, [w.users[p].id for p in participants], taken)
            w.sessions[team] = session_id
            w.session_members[team] = {lead_user.id, *(w.users[p].id for p in participants)}
            for case in sessions.cases(db, session_id):
                key = next(k for k in keys if w.citizens[k]["id"] == case["citizen_id"])
                w.cases[key] = (session_id, case["id"])
                # the own and the other team's case wait for blind ratings; the recused
                # citizen's case is past the reveal (its views are shown) and waits for the
                # case owner's revised expectation
                for _ in range(PHASES.index("response" if key == "recused" else "blind_rating")):
                    sessions.advance(db, lead_user, session_id, case["id"])
                owner = w.users[places[key][1]]
                w.actions[key] = sessions.add_action(
                    db, lead_user, session_id, case["id"], {"text": w.secrets[key]["action"], "owner_id": owner.id, "due_on": clock.today()}
                )["id"]

        # research: a study of team A for the researcher, one of team B for researcher2, with an export each
        for key, researcher, team in [("mine", "researcher", "Team Alfa"), ("foreign", "researcher2", "Team Bravo")]:
            name = f"Study {key}"
            study_id = studies.upsert(db, None, name, [team], [w.users[researcher].username], min_k=2)
            w.studies[key] = name
            w.exports[key] = exportjobs.create(db, w.users[researcher].id, study_id, Options(free_text=False, k=2, stats_files=False), 30)
    for key in w.citizens:
        w.citizens[key] = db.table("citizen").get(w.citizens[key]["id"])
    return w


def may_see_citizen(world, role, key):
    """The rule of DESIGN.md: workers and leads see their own team's citizens, minus recusals."""
    user = world.user(role)
    if user is None or user.role not in users.CASE_ROLES:
        return False
    citizen = world.citizens[key]
    if citizen["team_id"] != user.team_id:
        return False
    recused = {"recused": world.users["recused"].id, "other": world.users["other_recused"].id}.get(key)
    return user.id != recused


def snapshot(db):
    """A copy of the database in memory, to put back with restore()."""
    copy = sqlite3.connect(":memory:")
    db.conn.backup(copy)
    return copy


def restore(copy, db):
    """Put the database back as it was at snapshot() (SQLite's backup API: whole, at once)."""
    copy.backup(db.conn)
