"""The export's de-identification rules (journal/anonymity.py), on their own."""
import itertools
import random
from collections import Counter

from journal.anonymity import (
    STEPS, Pseudonyms, age_band, day_band, k_anonymise, label_key, merged_workers, quasi_identifiers, study_key,
)


def citizen(cid, team=1, birth_year=1990, gender="female", goal="job", status="active", outcomes="", followup=100, closed=None):
    return dict(id=cid, team=team, birth_year=birth_year, gender=gender, goal=goal, status=status,
                outcomes=outcomes, followup=followup, closed=closed)


def test_age_band():
    assert age_band(1994) == "1990-1999"
    assert age_band(1994, 20) == "1980-1999"
    assert age_band(None) == ""


def test_day_band():
    assert day_band(0) == "0-89"
    assert day_band(100) == "90-179"
    assert day_band(100, 180) == "0-179"
    assert day_band(400, 365) == "365-729"
    assert day_band(None) == ""


def test_label_key():
    assert label_key("Mor") == label_key(" mor. ") == label_key("MOR") == "mor"
    assert label_key("egen  læge") == "egen læge"
    assert label_key("far") != label_key("mor")
    assert label_key(None) is None and label_key(" . ") is None


def test_k_anonymise_keeps_groups_of_k_as_they_are():
    people = [citizen(i) for i in range(5)]
    kept, steps, suppressed = k_anonymise(people, 5)
    assert suppressed == set() and set(steps.values()) == {0}
    assert set(kept.values()) == {(1, "1990-1999", "female", "job", "active", "", "90-179", "")}


def test_k_anonymise_coarsens_a_small_group_before_leaving_anyone_out():
    # three born in the 1990s and two in the 1980s: only a 20-year band makes a group of five
    people = [citizen(i, birth_year=1991 + i) for i in range(3)] + [citizen(i, birth_year=1985) for i in range(3, 5)]
    kept, steps, suppressed = k_anonymise(people, 5)
    assert suppressed == set()
    assert {key[1] for key in kept.values()} == {"1980-1999"} and set(steps.values()) == {1}


def test_k_anonymise_widens_follow_up_bands_when_age_is_not_enough():
    people = [citizen(i, followup=10 + 40 * i) for i in range(5)]  # 10…170 days: two 90-day bands
    kept, steps, suppressed = k_anonymise(people, 5)
    assert suppressed == set() and {key[6] for key in kept.values()} == {"0-179"}
    assert set(steps.values()) == {2}


def test_k_anonymise_leaves_out_whoever_stays_below_k():
    people = [citizen(i) for i in range(5)] + [citizen(9, gender="male")]
    kept, steps, suppressed = k_anonymise(people, 5)
    assert suppressed == {9} and set(kept) == set(range(5))
    assert set(steps.values()) == {0}  # the group of five was never coarsened


def test_k_anonymise_every_combination_holds_k_on_random_people():
    rng = random.Random(7)
    people = [
        citizen(i, team=rng.choice([1, 2]), birth_year=rng.randint(1960, 2005), gender=rng.choice(["female", "male"]),
                goal=rng.choice(["job", "education"]), status=rng.choice(["active", "closed"]),
                outcomes=rng.choice(["", "job", "education"]), followup=rng.randint(0, 700))
        for i in range(400)
    ]
    for k in (2, 3, 5, 10):
        kept, steps, suppressed = k_anonymise(people, k)
        assert len(kept) + len(suppressed) == len(people)
        assert kept or k == 10  # 400 people over 960 combinations: at k = 10 all may go
        assert min(Counter(kept.values()).values(), default=k) >= k
        for subset in itertools.combinations(range(8), 4):
            coarse = Counter(tuple(key[i] for i in subset) for key in kept.values())
            assert min(coarse.values(), default=k) >= k
        for cid, key in kept.items():
            assert key == quasi_identifiers(next(p for p in people if p["id"] == cid), steps[cid])
        assert max(steps.values(), default=0) <= len(STEPS) - 1


def test_merged_workers():
    team_of = {1: 10, 2: 10, 3: 20, 4: 20, 5: 20, 6: None}
    assert merged_workers(team_of, 3) == {1: 10, 2: 10, 6: None}
    assert merged_workers(team_of, 2) == {6: None}
    assert merged_workers(team_of, 4) == team_of


def test_pseudonyms_depend_on_the_study_and_the_secret():
    one = Pseudonyms(study_key("secret", "study-a"))
    assert one("citizen", "abc") == one("citizen", "abc")
    assert one("citizen", "abc").startswith("C-") and len(one("citizen", "abc")) == 18
    assert Pseudonyms(study_key("secret", "study-b"))("citizen", "abc") != one("citizen", "abc")
    assert Pseudonyms(study_key("other", "study-a"))("citizen", "abc") != one("citizen", "abc")
    assert one("worker", "abc")[2:] != one("citizen", "abc")[2:]  # the kind is part of the input
    assert one("citizen", None) is None


def test_pseudonyms_are_hmac_sha256():
    import hashlib
    import hmac

    for key in (b"k" * 32, b"", b"x" * 64, b"y" * 100):
        pseudo = Pseudonyms(key)
        for message in (b"", b"citizen:abc", "label:å".encode() * 40):
            assert pseudo.digest(message) == hmac.digest(key, message, hashlib.sha256)
        assert pseudo("citizen", "abc") == "C-" + hmac.digest(key, b"citizen:abc", "sha256")[:8].hex()
