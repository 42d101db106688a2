"""Schema migrations, in order. Each step runs in one transaction (sqlite-utils Migrations).

Never edit a step that has shipped: add a new one. tests/test_migrations.py upgrades a
database made by the first step to the latest and checks that data survives.
"""
from sqlite_utils.migrations import Migrations

migrations = Migrations("journal")

SOURCES = (
    "'worker','citizen','doctor','psychiatry','psychologist','parent','relative',"
    "'other_department','education','employer','colleague','other'"
)


@migrations()
def m001_core(db):
    """Teams, users, citizens, recusals, meetings, expectations, outcomes, audit."""
    db.executescript(
        f"""
        CREATE TABLE team (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            municipality TEXT NOT NULL,
            gap_threshold INTEGER NOT NULL DEFAULT 4 CHECK (gap_threshold BETWEEN 1 AND 10),
            drop_threshold INTEGER NOT NULL DEFAULT 3 CHECK (drop_threshold BETWEEN 1 AND 10),
            stale_low_days INTEGER NOT NULL DEFAULT 90 CHECK (stale_low_days BETWEEN 1 AND 3650),
            locale TEXT NOT NULL DEFAULT 'da' CHECK (locale IN ('da','sv','en')),
            created_at TEXT NOT NULL
        );

        CREATE TABLE user (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL UNIQUE COLLATE NOCASE,
            display_name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('worker','lead','researcher','admin')),
            team_id INTEGER REFERENCES team(id),
            locale TEXT CHECK (locale IS NULL OR locale IN ('da','sv','en')),
            active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0,1)),
            created_at TEXT NOT NULL,
            CHECK (role IN ('researcher','admin') OR team_id IS NOT NULL)
        );

        CREATE TABLE citizen (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES team(id),
            case_ref TEXT NOT NULL,
            display_name TEXT,
            birth_year INTEGER,
            gender TEXT NOT NULL DEFAULT 'unknown'
                CHECK (gender IN ('female','male','other','unknown')),
            goal TEXT NOT NULL CHECK (goal IN ('job','education')),
            status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed')),
            primary_worker_id INTEGER REFERENCES user(id),
            created_by INTEGER REFERENCES user(id),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            closed_at TEXT,
            UNIQUE (team_id, case_ref)
        );

        CREATE TABLE recusal (
            id INTEGER PRIMARY KEY,
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES user(id),
            declared_by INTEGER NOT NULL REFERENCES user(id),
            reason TEXT,
            created_at TEXT NOT NULL,
            lifted_at TEXT,
            lifted_by INTEGER REFERENCES user(id),
            lift_reason TEXT
        );
        CREATE UNIQUE INDEX recusal_active ON recusal (citizen_id, user_id)
            WHERE lifted_at IS NULL;
        CREATE INDEX recusal_user ON recusal (user_id) WHERE lifted_at IS NULL;

        CREATE TABLE meeting (
            id TEXT PRIMARY KEY,
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            worker_id INTEGER NOT NULL REFERENCES user(id),
            held_on TEXT NOT NULL,
            mode TEXT NOT NULL
                CHECK (mode IN ('in_person','video','phone','home_visit','written')),
            participants TEXT NOT NULL DEFAULT '[]',
            note TEXT,
            recorded_at TEXT NOT NULL,
            content_hash TEXT NOT NULL
        );
        CREATE INDEX meeting_citizen ON meeting (citizen_id, held_on);

        CREATE TABLE expectation (
            id TEXT PRIMARY KEY,
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            meeting_id TEXT REFERENCES meeting(id) ON DELETE CASCADE,
            source TEXT NOT NULL CHECK (source IN ({SOURCES})),
            source_label TEXT,
            value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
            confidence TEXT NOT NULL CHECK (confidence IN ('low','medium','high')),
            basis TEXT,
            observed_on TEXT NOT NULL,
            recorded_by INTEGER NOT NULL REFERENCES user(id),
            recorded_at TEXT NOT NULL,
            context TEXT NOT NULL CHECK (context IN ('meeting','sparring','update')),
            supersedes TEXT UNIQUE REFERENCES expectation(id) ON DELETE CASCADE,
            content_hash TEXT NOT NULL
        );
        CREATE INDEX expectation_citizen ON expectation (citizen_id, observed_on);

        CREATE TABLE outcome (
            id TEXT PRIMARY KEY,
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            kind TEXT NOT NULL CHECK (kind IN ('job','flex_job','education','none','other')),
            observed_on TEXT NOT NULL,
            note TEXT,
            recorded_by INTEGER NOT NULL REFERENCES user(id),
            recorded_at TEXT NOT NULL,
            content_hash TEXT NOT NULL
        );
        CREATE INDEX outcome_citizen ON outcome (citizen_id);

        CREATE TABLE audit_event (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            user_id INTEGER,
            action TEXT NOT NULL,
            object_type TEXT,
            object_id TEXT,
            detail TEXT
        );
        CREATE INDEX audit_event_object ON audit_event (object_type, object_id);
        CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
            BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;
        CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event
            BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END;
        """
    )


@migrations()
def m002_login_throttle(db):
    """Failed logins, shared by every server process, for the per-username lockout."""
    db.executescript(
        """
        CREATE TABLE login_failure (
            id INTEGER PRIMARY KEY,
            username TEXT NOT NULL COLLATE NOCASE,
            at TEXT NOT NULL,
            remote_addr TEXT
        );
        CREATE INDEX login_failure_username ON login_failure (username, at);
        CREATE INDEX audit_event_at ON audit_event (at);
        """
    )


@migrations()
def m003_reflections_and_sparring_requests(db):
    """Reflection prompts on meetings; sparring requests (manual ones from the citizen page,
    prompted ones from the rules)."""
    db.executescript(
        """
        ALTER TABLE meeting ADD COLUMN reflection_usual TEXT;
        ALTER TABLE meeting ADD COLUMN reflection_different TEXT;
        ALTER TABLE meeting ADD COLUMN citizen_explanation TEXT;

        CREATE TABLE sparring_request (
            id INTEGER PRIMARY KEY,
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            requested_by INTEGER REFERENCES user(id),
            reason TEXT NOT NULL CHECK (reason IN ('gap','drop','stale_low','manual')),
            detail TEXT,
            status TEXT NOT NULL DEFAULT 'open'
                CHECK (status IN ('open','scheduled','done','dismissed')),
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            handled_by INTEGER REFERENCES user(id),
            handled_at TEXT,
            handled_note TEXT
        );
        CREATE INDEX sparring_request_citizen ON sparring_request (citizen_id, status);
        """
    )


@migrations()
def m004_sparring_sessions(db):
    """Sparring sessions: participants, cases moving through phases, blind ratings, actions."""
    db.executescript(
        """
        ALTER TABLE team ADD COLUMN phase_minutes TEXT NOT NULL
            DEFAULT '{"present":5,"blind_rating":2,"reveal":3,"questions":5,"reflections":10,"response":5,"actions":5}';
        ALTER TABLE sparring_request ADD COLUMN facts TEXT;

        CREATE TABLE sparring_session (
            id INTEGER PRIMARY KEY,
            team_id INTEGER NOT NULL REFERENCES team(id),
            lead_id INTEGER NOT NULL REFERENCES user(id),
            title TEXT,
            status TEXT NOT NULL DEFAULT 'running' CHECK (status IN ('running','done')),
            created_at TEXT NOT NULL,
            ended_at TEXT
        );

        CREATE TABLE sparring_participant (
            session_id INTEGER NOT NULL REFERENCES sparring_session(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES user(id),
            PRIMARY KEY (session_id, user_id)
        );

        CREATE TABLE sparring_case (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sparring_session(id) ON DELETE CASCADE,
            request_id INTEGER REFERENCES sparring_request(id),
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            owner_id INTEGER REFERENCES user(id),
            position INTEGER NOT NULL,
            phase TEXT NOT NULL DEFAULT 'present' CHECK (phase IN
                ('present','blind_rating','reveal','questions','reflections','response','actions','done')),
            phase_started_at TEXT,
            notes TEXT NOT NULL DEFAULT '{}',
            revised_expectation_id TEXT REFERENCES expectation(id),
            UNIQUE (session_id, citizen_id)
        );

        CREATE TABLE sparring_rating (
            case_id INTEGER NOT NULL REFERENCES sparring_case(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES user(id),
            value INTEGER NOT NULL CHECK (value BETWEEN 0 AND 10),
            rated_at TEXT NOT NULL,
            PRIMARY KEY (case_id, user_id)
        );

        CREATE TABLE action (
            id INTEGER PRIMARY KEY,
            case_id INTEGER REFERENCES sparring_case(id) ON DELETE SET NULL,
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            text TEXT NOT NULL,
            owner_id INTEGER NOT NULL REFERENCES user(id),
            due_on TEXT,
            done_on TEXT,
            worker_value_at_creation INTEGER,
            created_by INTEGER NOT NULL REFERENCES user(id),
            created_at TEXT NOT NULL
        );
        CREATE INDEX action_owner ON action (owner_id, done_on);
        CREATE INDEX action_citizen ON action (citizen_id);
        """
    )


@migrations()
def m005_studies_and_exports(db):
    """Research studies: enrolled teams, attached researchers, and the audit of exports."""
    db.executescript(
        """
        CREATE TABLE study (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL
        );
        CREATE TABLE study_team (
            study_id INTEGER NOT NULL REFERENCES study(id) ON DELETE CASCADE,
            team_id INTEGER NOT NULL REFERENCES team(id),
            PRIMARY KEY (study_id, team_id)
        );
        CREATE TABLE study_researcher (
            study_id INTEGER NOT NULL REFERENCES study(id) ON DELETE CASCADE,
            user_id INTEGER NOT NULL REFERENCES user(id),
            PRIMARY KEY (study_id, user_id)
        );
        CREATE TABLE export (
            id TEXT PRIMARY KEY,
            study_id INTEGER NOT NULL REFERENCES study(id),
            user_id INTEGER REFERENCES user(id),
            created_at TEXT NOT NULL,
            options TEXT NOT NULL,
            summary TEXT NOT NULL,
            file_name TEXT NOT NULL,
            sha256 TEXT NOT NULL
        );
        """
    )


@migrations()
def m006_case_owners(db):
    """Every active citizen gets a case owner where it has none (DESIGN.md "Worker views are
    personal": gaps are measured from the case owner's view).

    The owner is the worker who held most of the citizen's meetings in its last 180 days of
    meetings, the latest meeting breaking a tie — an active worker or lead of the citizen's
    team who is not recused from it. Citizens nobody met keep no owner; a lead assigns one.
    (docs/decisions.md, "Worker views".)
    """
    db.execute(
        """
        UPDATE citizen SET primary_worker_id = (
            SELECT m.worker_id FROM meeting m JOIN user u ON u.id = m.worker_id
            WHERE m.citizen_id = citizen.id
              AND u.team_id = citizen.team_id AND u.active = 1 AND u.role IN ('worker', 'lead')
              AND m.held_on >= date((SELECT MAX(held_on) FROM meeting WHERE citizen_id = citizen.id), '-180 days')
              AND NOT EXISTS (SELECT 1 FROM recusal r WHERE r.citizen_id = citizen.id
                              AND r.user_id = m.worker_id AND r.lifted_at IS NULL)
            GROUP BY m.worker_id
            ORDER BY COUNT(*) DESC, MAX(m.held_on) DESC, MAX(m.recorded_at) DESC
            LIMIT 1
        )
        WHERE primary_worker_id IS NULL AND status = 'active'
        """
    )


PUBLIC_ID_TABLES = ("citizen", "user", "team", "study", "sparring_request", "sparring_session", "sparring_case", "action")


@migrations()
def m007_public_ids(db):
    """A random public id on every record the research export names (DESIGN.md "Research
    export": pseudonyms are HMACs over random public ids, never row ids, which anyone can
    count from 1). Triggers fill it in for new rows, whichever code inserts them."""
    for table in PUBLIC_ID_TABLES:
        db.execute(f"ALTER TABLE [{table}] ADD COLUMN public_id TEXT")
        db.execute(f"UPDATE [{table}] SET public_id = lower(hex(randomblob(16)))")
        db.execute(f"CREATE UNIQUE INDEX [{table}_public_id] ON [{table}] (public_id)")
        db.execute(
            f"""CREATE TRIGGER [{table}_public_id_new] AFTER INSERT ON [{table}]
                WHEN NEW.public_id IS NULL
                BEGIN UPDATE [{table}] SET public_id = lower(hex(randomblob(16))) WHERE rowid = NEW.rowid; END"""
        )


@migrations()
def m008_study_min_k(db):
    """The smallest k an export of the study may use (DESIGN.md: k from the study, set by an
    admin; a researcher cannot go lower). 5 unless an admin says otherwise."""
    db.execute("ALTER TABLE study ADD COLUMN min_k INTEGER NOT NULL DEFAULT 5 CHECK (min_k BETWEEN 2 AND 50)")


@migrations()
def m009_export_jobs(db):
    """Exports become background jobs (DESIGN.md "Research export": a background job with
    progress). The table is rebuilt, because SQLite cannot drop the NOT NULL that m005 put on
    summary, file_name and sha256, which a job has only when it is done.

    - status: queued → running → done | failed; a done export's file is deleted when it
      expires (expired). A CHECK keeps a done row complete.
    - progress (0–100) and rows_done: what the researcher's progress bar shows.
    - updated_at: the heartbeat of the process that runs the job; a queued or running job
      whose heartbeat is old belonged to a process that died, and is failed when read.
    - expires_at: the file is deleted after this (EXPORT_DAYS, 30 by default).
    - error: a short code when failed (never the exception's text).

    Existing exports are done, and expire 30 days after they were made.
    """
    db.executescript(
        """
        CREATE TABLE export_new (
            id TEXT PRIMARY KEY,
            study_id INTEGER NOT NULL REFERENCES study(id),
            user_id INTEGER REFERENCES user(id),
            created_at TEXT NOT NULL,
            options TEXT NOT NULL,
            status TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued','running','done','failed','expired')),
            progress INTEGER NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100),
            rows_done INTEGER NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL,
            finished_at TEXT,
            expires_at TEXT NOT NULL,
            error TEXT,
            summary TEXT,
            file_name TEXT,
            sha256 TEXT,
            CHECK (status <> 'done' OR (summary IS NOT NULL AND file_name IS NOT NULL AND sha256 IS NOT NULL))
        );
        INSERT INTO export_new (id, study_id, user_id, created_at, options, status, progress, rows_done,
                                updated_at, finished_at, expires_at, summary, file_name, sha256)
            SELECT id, study_id, user_id, created_at, options, 'done', 100,
                   COALESCE((SELECT SUM(value) FROM json_each(summary, '$.rows')), 0),
                   created_at, created_at, strftime('%Y-%m-%dT%H:%M:%SZ', created_at, '+30 days'),
                   summary, file_name, sha256
            FROM export;
        DROP TABLE export;
        ALTER TABLE export_new RENAME TO export;
        CREATE INDEX export_user ON export (user_id, created_at);
        CREATE INDEX export_unfinished ON export (status) WHERE status IN ('queued', 'running');
        CREATE INDEX export_expires ON export (expires_at) WHERE status = 'done';
        """
    )


@migrations()
def m010_session_generation(db):
    """Sessions end for real (DESIGN.md "Non-functional"): every session cookie carries the
    user's session generation from the moment of login, and is honoured only while the user's
    generation is still the same. Logging out, a password change and deactivation bump it, so
    every saved copy of an older cookie is refused by the server (journal/sessions.py)."""
    db.execute("ALTER TABLE user ADD COLUMN session_generation INTEGER NOT NULL DEFAULT 0")


@migrations()
def m011_case_ref_keys(db):
    """Look-alike case references are one reference (issue 13): "SIL-0001", "sil-0001" and
    "SIL 0001" get the same key (journal/identifiers.py unique_ref_key), unique per team.

    References already stored that share a key with an older one in the same team keep
    working: their key gets "#<id>" so both stay, and the audit log gets a
    "citizen.ref_lookalike" event naming both, for the admin to sort out (docs/operations.md).
    """
    from journal.identifiers import unique_ref_key

    db.execute("ALTER TABLE citizen ADD COLUMN ref_key TEXT")
    first = {}
    now = db.execute("SELECT strftime('%Y-%m-%dT%H:%M:%SZ', 'now')").fetchone()[0]
    for citizen_id, team_id, case_ref in db.execute("SELECT id, team_id, case_ref FROM citizen ORDER BY id").fetchall():
        key = unique_ref_key(case_ref) or f"#{citizen_id}"
        if (team_id, key) in first:
            db.execute(
                "INSERT INTO audit_event (at, user_id, action, object_type, object_id, detail) VALUES (?, NULL, ?, ?, ?, ?)",
                [now, "citizen.ref_lookalike", "citizen", str(citizen_id), f'{{"same_as": {first[(team_id, key)]}}}'],
            )
            key = f"{key}#{citizen_id}"
        else:
            first[(team_id, key)] = citizen_id
        db.execute("UPDATE citizen SET ref_key = ? WHERE id = ?", [key, citizen_id])
    db.execute("CREATE UNIQUE INDEX citizen_ref_key ON citizen (team_id, ref_key)")


@migrations()
def m012_shared_throttle(db):
    """Throttling that holds behind a proxy and across server processes (issue 13): failed
    logins are counted per address as well as per username (journal/throttle.py), and
    Flask-Limiter's counters live in this database instead of each process's memory
    (journal/ratestore.py)."""
    db.executescript(
        """
        CREATE INDEX login_failure_address ON login_failure (remote_addr, at);
        CREATE TABLE rate_limit (
            key TEXT PRIMARY KEY,
            count INTEGER NOT NULL,
            expires REAL NOT NULL
        );
        """
    )


@migrations()
def m013_foreign_key_indexes(db):
    """An index for every foreign key (issue 14). Reading a meeting back by meeting_id scanned
    the whole expectation table, and so did every ON DELETE CASCADE from a parent without an
    index on the child's column (SQLite looks children up by that column). Which keys lack
    one is read from the schema, so this step indexes exactly those; tests/test_migrations.py
    checks that every foreign key has an index, so a new table cannot forget its own."""
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != '_sqlite_migrations' ORDER BY name").fetchall():
        firsts = set()
        for index in db.execute(f"PRAGMA index_list([{table}])").fetchall():
            columns = db.execute(f"PRAGMA index_info([{index[1]}])").fetchall()
            if columns:
                firsts.add(columns[0][2])
        for column in sorted({row[3] for row in db.execute(f"PRAGMA foreign_key_list([{table}])").fetchall()}):
            if column not in firsts:
                db.execute(f"CREATE INDEX [{table}_{column}] ON [{table}] ([{column}])")


@migrations()
def m014_citizen_summaries(db):
    """Each citizen's current summary, stored on write (journal/summaries.py, issue 14): lists
    and overviews read these rows instead of running the clash rules over the team's history.

    The triggers mark a row stale (and drop its weekly flags) whenever something it was
    computed from changes, by whatever path, so a stored summary is never silently wrong; the
    casework write path recomputes it in the same transaction, and a read refreshes what is
    still stale. The rows are filled on first read, not here (the rules live in Python)."""
    db.executescript(
        """
        CREATE TABLE citizen_state (
            citizen_id INTEGER PRIMARY KEY REFERENCES citizen(id) ON DELETE CASCADE,
            computed_on TEXT NOT NULL,
            valid_until TEXT,
            stale INTEGER NOT NULL DEFAULT 0,
            clash INTEGER NOT NULL,
            max_gap INTEGER,
            abs_gap INTEGER,
            spread INTEGER,
            worker_value INTEGER,
            owner_fallback INTEGER NOT NULL,
            owner_view TEXT,
            views TEXT NOT NULL,
            gaps TEXT NOT NULL,
            prompts TEXT NOT NULL,
            last_meeting_on TEXT
        );
        CREATE INDEX citizen_state_due ON citizen_state (valid_until);
        CREATE TABLE citizen_week (
            citizen_id INTEGER NOT NULL REFERENCES citizen(id) ON DELETE CASCADE,
            week_end TEXT NOT NULL,
            clash INTEGER NOT NULL,
            PRIMARY KEY (citizen_id, week_end)
        );

        CREATE TRIGGER summary_expectation_insert AFTER INSERT ON expectation BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id = NEW.citizen_id;
            DELETE FROM citizen_week WHERE citizen_id = NEW.citizen_id;
        END;
        CREATE TRIGGER summary_expectation_update AFTER UPDATE ON expectation BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id IN (OLD.citizen_id, NEW.citizen_id);
            DELETE FROM citizen_week WHERE citizen_id IN (OLD.citizen_id, NEW.citizen_id);
        END;
        CREATE TRIGGER summary_expectation_delete AFTER DELETE ON expectation BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id = OLD.citizen_id;
            DELETE FROM citizen_week WHERE citizen_id = OLD.citizen_id;
        END;
        CREATE TRIGGER summary_meeting_insert AFTER INSERT ON meeting BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id = NEW.citizen_id;
        END;
        CREATE TRIGGER summary_meeting_update AFTER UPDATE ON meeting BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id IN (OLD.citizen_id, NEW.citizen_id);
        END;
        CREATE TRIGGER summary_meeting_delete AFTER DELETE ON meeting BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id = OLD.citizen_id;
        END;
        CREATE TRIGGER summary_case_owner AFTER UPDATE OF primary_worker_id, team_id ON citizen BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id = NEW.id;
            DELETE FROM citizen_week WHERE citizen_id = NEW.id;
        END;
        CREATE TRIGGER summary_team_thresholds AFTER UPDATE OF gap_threshold, drop_threshold, stale_low_days ON team BEGIN
            UPDATE citizen_state SET stale = 1 WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id = NEW.id);
            DELETE FROM citizen_week WHERE citizen_id IN (SELECT id FROM citizen WHERE team_id = NEW.id);
        END;
        """
    )
