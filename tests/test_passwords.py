"""The password policy (issue 13 point 3): journal/passwords.py and every path that sets one.

The rule itself is a pure function, tested with tables; then the admin's forms, the command
line and users.change_password, in Danish, Swedish and English. This module's `app` reads
catalogs compiled from the .po sources (as tests/test_translations.py does), so the messages
are the ones the catalogs hold now.
"""
import html
import json
import shutil
import time
import unicodedata
from unittest import mock

import pytest
from zxcvbn import matching

from journal import audit, create_app, passwords, users
from journal.errors import Invalid

from . import factories
from .conftest import Session
from .test_translations import TRANSLATIONS, _clear_translation_cache, _compile, _read
from .test_web import browser_for, text, token, web_login  # noqa: F401  (browser_for is a fixture)

NINA = {"username": "nina", "display_name": "Nina Kjærgaard", "team_name": "Unge Silkeborg", "municipality": "Silkeborg"}
NILS = {"username": "nils", "display_name": "Nils Ekdahl", "team_name": "Etablering Malmö", "municipality": "Malmö"}
#: the message outside a request: English, the msgid
GUESSABLE = passwords.problems("Password123", username="x")[0]
SHORT = f"Use at least {passwords.MIN_LENGTH} characters."


@pytest.fixture(scope="module")
def compiled(tmp_path_factory):
    return _compile(tmp_path_factory.mktemp("catalogs") / "translations")


@pytest.fixture
def app(tmp_path, migrated_template, compiled):
    """conftest's app, with the catalogs compiled from the .po files of this tree."""
    app = create_app(
        {
            "DATABASE": str(tmp_path / "journal.db"),
            "SECRET_KEY": "test-secret",
            "RATELIMIT_ENABLED": False,
            "BABEL_TRANSLATION_DIRECTORIES": str(compiled),
        }
    )
    shutil.copyfile(migrated_template, app.config["DATABASE"])
    _clear_translation_cache(app)
    yield app
    _clear_translation_cache(app)


def translated(lang, msgid=GUESSABLE):
    """What the catalog of *lang* says for *msgid* (English: the msgid itself)."""
    if lang == "en":
        return msgid
    catalog = _read(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po", locale=lang)
    message = catalog.get(msgid)
    assert message is not None and message.string, f"{lang}: the catalog has no translation of {msgid!r}"
    assert message.string != msgid
    return message.string


# --- the rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("password, context", [
    ("Password123", NINA),
    ("Sommer2024!", NINA),
    ("Kodeord123", NINA),
    ("Lösenord1!", NILS),
    ("qwertyuiop", NINA),
    ("1234567890", NINA),
    ("1q2w3e4r5t6y", NINA),
    ("aaaaaaaaaaaa", NINA),
    ("P@ssw0rd2024", NINA),
    ("nina2024nina", NINA),  # the username with digits
    ("Nina12345678", NINA),
    ("UngeSilkeborg2026", NINA),  # the team's name with the year
    ("Silkeborg Kommune 2026", NINA),  # the municipality, spaced out
    ("Etablering-2026!", NILS),
    ("Malmö2026!!", NILS),
    ("Kjærgaard1990!", NINA),  # the surname with a year
    ("Kjaergaard-2026", NINA),  # ... spelled without æ
    ("N1n4Kj43rg44rd", NINA),  # l33t
    ("draagreajkanin1", NINA),  # the display name backwards
    ("Forventningsjournal1", NINA),
    ("Jobcenter2026!", NINA),
    ("Jobcenter Silkeborg 2026", NINA),
    ("Arbetsförmedlingen1!", NILS),
    ("Kobenhavn2024!", NINA),
    ("Velkommen2026!!", NINA),
    ("Välkommen2026!!", NILS),
    ("Mandag-Tirsdag", NINA),
    ("Jegelskerdig2026", NINA),
    ("Hammarby-Djurgården", NILS),
    ("Lo\u0308senord2026", NILS),  # "ö" typed as o + combining diaeresis
])
def test_a_common_or_context_password_is_refused(password, context):
    assert passwords.problems(password, **context) == [GUESSABLE]


@pytest.mark.parametrize("password", [
    "tusindfryd-cykel-regn",
    "blå kaffe sejler langsomt",
    "kl4ver morgen skib",
    "træ lampe bjerg flod",
    "cykel rund elefant",
    "hemd gurka moln tolv",
    "lampa skog sockel",
    "tre små grå høns",
    "Frokost i Pakhuset kl. 13",
    "grøn tekande på loftet",
    "violin-kanal-ost",
    "kaffe kage kurv",
    "vyxkuw-8jodra-Pyqxef",  # a password manager's
    factories.PASSWORD,
])
def test_a_phrase_of_unrelated_words_is_accepted(password):
    assert passwords.problems(password, **NINA) == []
    assert passwords.problems(password, **NILS) == []


@pytest.mark.parametrize("password", ["", "kort", "ni-tegn-x", "x" * 9])
def test_a_password_under_the_minimum_length_is_refused_for_its_length(password):
    assert passwords.problems(password, username="nina") == [SHORT]


def test_a_password_over_the_forms_limit_is_refused_for_its_length():
    words = "blå kaffe sejler langsomt "
    longest = (words * 20)[: passwords.MAX_LENGTH]
    assert passwords.problems(longest, **NINA) == []
    assert passwords.problems(longest + "x", **NINA) == [f"Between {passwords.MIN_LENGTH} and 256 characters."]


def test_the_username_inside_refuses_a_password_whatever_its_score():
    assert passwords.problems("tusindfryd-NINA-cykel-regn", **NINA) == [GUESSABLE]
    # two letters are too few to count as the name inside a password
    assert passwords.problems("tusindfryd-bo-cykel-regn", username="bo") == []


def test_the_users_context_makes_the_difference():
    """Names, team and municipality refuse what would pass for someone else."""
    for password in ("Kjærgaard1990!", "UngeSilkeborg26!", "Kjaergaard-2026"):
        assert passwords.problems(password, username="x7y8z9") == []
        assert passwords.problems(password, **NINA) == [GUESSABLE]


def test_the_word_list_makes_the_difference():
    """Danish and Swedish password words that zxcvbn's English lists lack."""
    for password in ("Velkommen2026!!", "Kodeord-Adgangskode", "Julen-Påske-2026", "Midsommar-2026!"):
        assert passwords.problems(password, username="x7y8z9") == [GUESSABLE]
        with mock.patch.object(passwords, "password_words", lambda: ()):
            assert passwords.problems(password, username="x7y8z9") == []


def test_only_the_first_72_characters_are_scored():
    """zxcvbn's time grows with l33t substitutions; a long password is scored by its start."""
    seen = []
    real = passwords.zxcvbn

    def spy(password, **kwargs):
        seen.append(password)
        return real(password, **kwargs)

    strong = ("blå kaffe sejler langsomt " * 10)[:200]
    with mock.patch.object(passwords, "zxcvbn", spy):
        assert passwords.problems(strong, **NINA) == []
        assert passwords.problems("Password123" * 7 + "-blå kaffe sejler langsomt", **NINA) == [GUESSABLE]
    assert seen and max(map(len, seen)) == passwords.SCORED_LENGTH


def test_a_long_mix_of_symbols_is_scored_in_seconds_not_minutes():
    symbols = "4@8({[<3 6 1!|7+5$2%0-" * 12
    started = time.monotonic()
    passwords.problems(symbols[: passwords.MAX_LENGTH], username="nina")
    assert time.monotonic() - started < 15


def test_no_users_context_is_left_in_zxcvbn_after_a_check():
    passwords.problems("tusindfryd-cykel-regn", **NINA)
    assert "user_inputs" not in matching.RANKED_DICTIONARIES


def test_context_words_hold_the_names_in_pieces_and_without_special_letters():
    words = passwords.context_words(**NINA)
    for word in ("nina", "ninakjærgaard", "kjærgaard", "kjaergaard", "ungesilkeborg", "unge", "silkeborg",
                 "forventningsjournal", "jobcenter", "arbetsförmedlingen", "arbetsformedlingen", "kodeord", "lösenord", "losenord"):
        assert word in words
    assert words.index("nina") < words.index("forventningsjournal") < words.index("kodeord")
    assert len(words) == len(set(words))


def test_the_word_file_is_tidy():
    text = passwords.WORDS_FILE.read_text(encoding="utf-8")
    words = passwords.parse_words(text)
    assert len(words) >= 50
    assert len(words) == len(set(words)), "duplicates"
    for word in words:
        assert word == unicodedata.normalize("NFC", word).lower() and word.isalpha() and len(word) >= 3, word


def test_every_listed_word_is_one_zxcvbns_lists_lack_or_rank_low():
    """What the file's header claims: as written, no word is among the 1,000 most common of
    any of zxcvbn's lists (those are refused without our help)."""
    ranked = {name: ranks for name, ranks in matching.RANKED_DICTIONARIES.items() if name != "user_inputs"}
    common = {word: (name, ranks[word]) for word in passwords.password_words()
              for name, ranks in ranked.items() if ranks.get(word, 10**9) <= 1000}
    assert common == {}


def test_check_raises_invalid_with_the_messages_under_password():
    with pytest.raises(Invalid) as refused:
        passwords.check("Sommer2024!", **NINA)
    assert refused.value.errors == {"password": [GUESSABLE]}
    passwords.check("tusindfryd-cykel-regn", **NINA)


# --- every path that sets a password -------------------------------------------------------


def test_creating_a_user_refuses_the_teams_name_and_stores_nothing(db, world):
    with pytest.raises(Invalid) as refused:
        users.create_user(db, "karen", "Team A Silkeborg 2026", "worker", world["team_a"], "Karen Kofoed")
    assert refused.value.errors == {"password": [GUESSABLE]}
    assert users.by_username(db, "karen") is None


def test_a_refused_change_leaves_the_old_password_working(app, world, auth, db):
    phone = auth("worker")
    with pytest.raises(Invalid) as refused:
        users.change_password(db, world["worker"].id, world["worker"].id, "Silkeborg2026!!")
    assert refused.value.errors == {"password": [GUESSABLE]}
    assert phone.get("/api/v1/me").status_code == 200  # the session was not ended
    assert Session(app.test_client(), world["worker"]).login(factories.PASSWORD).status_code == 200
    assert audit.events(db, action="user.password") == []


def post(client, url, data, page=None):
    return client.post(url, data={**data, "csrf_token": token(client, page or url)})


def field_error(response, field="password"):
    page = text(response)
    assert f'id="{field}-error"' in page
    return html.unescape(page.split(f'id="{field}-error">')[1].split("<")[0]).strip()


def new_user(world, password):
    return {"username": "nina", "display_name": "Nina Kjærgaard", "role": "worker",
            "team_id": str(world["team_a"]), "locale": "da", "password": password}


@pytest.mark.parametrize("lang", ["da", "sv", "en"])
def test_the_admin_is_told_in_their_language_next_to_the_field_and_nothing_is_stored(browser_for, world, db, lang):
    admin = browser_for("admin", locale=lang)
    before = db.execute("SELECT count(*) FROM user").fetchone()[0]
    response = post(admin, "/admin/users/new", new_user(world, "Nina2026!!"))
    assert response.status_code == 422
    assert field_error(response) == translated(lang)
    assert 'aria-invalid="true"' in text(response)
    assert db.execute("SELECT count(*) FROM user").fetchone()[0] == before
    assert audit.events(db, action="user.create") == []


def test_the_admins_own_language_wins_over_the_browsers(browser_for, world, db):
    users.set_locale(db, world["admin"].id, "sv")
    admin = browser_for("admin", locale="da")
    response = post(admin, "/admin/users/new", new_user(world, "Velkommen2026!!"))
    assert response.status_code == 422
    assert field_error(response) == translated("sv")


@pytest.mark.parametrize("lang", ["da", "sv", "en"])
def test_a_refused_reset_shows_the_message_and_the_old_password_still_works(app, browser_for, world, db, lang):
    admin = browser_for("admin", locale=lang)
    url = f"/admin/users/{world['worker'].id}"
    response = post(admin, url + "/password", {"password": "Team A Silkeborg 2026"}, url)
    assert response.status_code == 422
    assert field_error(response) == translated(lang)
    assert audit.events(db, action="user.password_reset") == []
    assert web_login(app.test_client(), "worker", factories.PASSWORD).status_code == 302


def test_an_accepted_reset_still_works(app, browser_for, world, db):
    admin = browser_for("admin")
    url = f"/admin/users/{world['worker'].id}"
    assert post(admin, url + "/password", {"password": "tusindfryd-cykel-regn"}, url).status_code == 302
    [event] = audit.events(db, action="user.password_reset")
    assert "tusindfryd" not in json.dumps(event)


def test_the_command_line_refuses_with_the_message_and_a_failing_exit_code(runner, db):
    assert runner.invoke(args=["journal", "create-team", "Unge Odder", "--municipality", "Odder"]).exit_code == 0
    base = ["journal", "create-user", "karen", "--role", "lead", "--team", "Unge Odder", "--display-name", "Karen Kofoed"]
    for args, stdin in (
        (base + ["--password-stdin"], "Odder2026!!\n"),
        (base + ["--password-stdin"], "karen-tusindfryd-cykel\n"),
        (base, "UngeOdder2026\nUngeOdder2026\n"),  # prompted
    ):
        result = runner.invoke(args=args, input=stdin)
        assert result.exit_code != 0, result.output
        assert GUESSABLE in result.output
    assert users.by_username(db, "karen") is None
    result = runner.invoke(args=base + ["--password-stdin"], input="tusindfryd-cykel-regn\n")
    assert result.exit_code == 0, result.output


def test_the_demo_password_passes_the_policy_for_every_demo_user():
    from journal import demo

    municipality = {team["name"]: team["municipality"] for team in demo.TEAMS}
    for username, _role, team, display_name, _locale in demo.USERS:
        assert passwords.problems(
            demo.PASSWORD, username=username, display_name=display_name, team_name=team,
            municipality=municipality.get(team),
        ) == [], username
