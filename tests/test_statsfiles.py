"""The SPSS and Stata writers (journal/statsfiles.py): read back with pyreadstat and pandas,
every file holds exactly the CSV it was written from, with value labels and measurement
levels, and memory does not grow with the number of rows."""
import csv
import io
import math
import random
import tracemalloc
import zipfile

import pandas
import pyreadstat
import pytest

from journal import clock, statsfiles
from journal.datadict import TABLES, Column, Table, columns

KINDS = Table("kinds", "Every kind of column, for the round trip", (
    Column("citizen", "Pseudonym of the citizen", "string", "pseudonym", required=True),
    Column("team", "Pseudonym of the team", "string", "quasi"),
    Column("gender", "Gender as recorded", "string", "quasi", ("female", "male", "other", "unknown")),
    Column("confidence", "How sure the view is", "string", values=("low", "medium", "high")),
    Column("superseded", "True if a later entry corrected this one", "boolean"),
    Column("value", "Expected chance of job or education within 12 months: 0 no realistic chance … 10 very likely",
           "integer", values=tuple(range(11)), unit="scale points 0-10"),
    Column("day", "Day of the entry, from the citizen's first record", "integer", "relative_day", unit="days"),
    Column("share", "A share", "number"),
    Column("basis", "What the person based the view on, scrubbed (only with free text)", "string", "free_text"),
), "citizen")

LONG_LENGTHS = (252, 253, 254, 255, 256, 257, 509, 510, 511, 512, 765, 766, 1000, 2045, 2046, 4000)


def texts():
    """Free text: Danish and Swedish letters, quotes, commas, newlines, and lengths around
    every boundary of the formats (8-byte units, 255-byte segments, Stata's str2045)."""
    yield ""
    yield "Mødte stabilt op; æøå ÆØÅ"
    yield "Har kommit till praktiken, \"åäö\" ÅÄÖ\nny rad"
    yield "[NAME] talte med [PHONE] om [ADDRESS]."
    yield "x"
    yield "12345678"
    for n in LONG_LENGTHS:
        yield ("abcdefg " * 600)[:n]
        yield "a" * (n - 1) + "æ" if n > 2 else "æ"  # a two-byte letter across a segment boundary
    yield "ø" * 1000 + " slut"


def kinds_rows():
    rng = random.Random(11)
    rows = []
    for i, text in enumerate(texts()):
        rows.append([
            f"C-{i:016x}",
            rng.choice(["T-00aa11bb22cc33dd", "T-ffee", ""]),
            rng.choice(["female", "male", "other", "unknown", ""]),
            rng.choice(["low", "medium", "high", ""]),
            rng.choice(["true", "false", ""]),
            rng.choice([str(v) for v in range(11)] + [""]),
            rng.choice(["0", "7", "151", "152", "-3", "-120", "36500", ""]),
            rng.choice(["0.25", "1", "-2.5", "1e6", ""]),
            text,
        ])
    return rows


def write_csv(path, names, rows):
    with open(path, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(names)
        writer.writerows(rows)


def export(tmp_path, table_, table_columns, rows):
    """add() into a zip; returns (the zip members by name, .sav path, .dta path, what add() returned)."""
    source = tmp_path / f"{table_.name}.csv"
    write_csv(source, [c.name for c in table_columns], rows)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        result = statsfiles.add(archive, table_, table_columns, source)
    with zipfile.ZipFile(buffer) as archive:
        assert archive.testzip() is None
        infos = {i.filename: i for i in archive.infolist()}
        paths = []
        for suffix in (".sav", ".dta"):
            path = tmp_path / f"{table_.name}{suffix}"
            path.write_bytes(archive.read(f"{table_.name}{suffix}"))
            paths.append(path)
    return infos, paths[0], paths[1], result


def missing(value):
    return value is None or (isinstance(value, float) and math.isnan(value))


def same(column, text, value, labels, spss):
    """Whether a value read back is the CSV cell *text* of *column*."""
    if column.type == "string" and not column.values:
        return value == (text.rstrip(" ") if spss else text)
    if text == "":
        return missing(value)
    if missing(value):
        return False
    if column.values and column.type == "string" or column.type == "boolean":
        return labels[value] == text
    if column.type == "integer":
        return value == int(text)
    return value == pytest.approx(float(text))


def assert_same_as_csv(table_columns, rows, frame, labels, spss):
    assert list(frame.columns) == [c.name for c in table_columns]
    assert len(frame) == len(rows)
    for i, row in enumerate(rows):
        for column, text in zip(table_columns, row):
            value = frame[column.name].iloc[i]
            assert same(column, text, value, labels.get(column.name), spss), (i, column.name, text, value)


def test_every_kind_of_column_reads_back_as_the_csv(tmp_path):
    rows = kinds_rows()
    _infos, sav, dta, result = export(tmp_path, KINDS, KINDS.columns, rows)
    assert result == {}
    frame, meta = pyreadstat.read_sav(str(sav))
    assert_same_as_csv(KINDS.columns, rows, frame, meta.variable_value_labels, spss=True)
    frame, meta = pyreadstat.read_dta(str(dta))
    assert_same_as_csv(KINDS.columns, rows, frame, meta.variable_value_labels, spss=False)
    frame = pandas.read_stata(dta, convert_categoricals=False)
    reader = pandas.io.stata.StataReader(dta)
    with reader:
        reader.read()
        labels = reader.value_labels()
    assert_same_as_csv(KINDS.columns, rows, frame, labels, spss=False)


def test_pandas_turns_categories_back_into_the_csv_text(tmp_path):
    rows = kinds_rows()
    _infos, _sav, dta, _result = export(tmp_path, KINDS, KINDS.columns, rows)
    frame = pandas.read_stata(dta)  # value labels become categories
    for name in ("gender", "confidence", "superseded"):
        index = [c.name for c in KINDS.columns].index(name)
        assert [("" if missing(v) else v) for v in frame[name]] == [row[index] for row in rows]
    assert list(frame["confidence"].cat.categories) == ["low", "medium", "high"]


def test_value_labels_variable_labels_and_measurement_levels(tmp_path):
    _infos, sav, dta, _result = export(tmp_path, KINDS, KINDS.columns, kinds_rows())
    _frame, meta = pyreadstat.read_sav(str(sav), metadataonly=True)
    assert meta.variable_measure == {
        "citizen": "nominal", "team": "nominal", "gender": "nominal", "confidence": "ordinal",
        "superseded": "nominal", "value": "ordinal", "day": "scale", "share": "scale", "basis": "nominal",
    }
    scale = {0.0: "0 no realistic chance", **{float(v): str(v) for v in range(1, 10)}, 10.0: "10 very likely"}
    expected = {
        "gender": {1.0: "female", 2.0: "male", 3.0: "other", 4.0: "unknown"},
        "confidence": {1.0: "low", 2.0: "medium", 3.0: "high"},
        "superseded": {0.0: "false", 1.0: "true"},
        "value": scale,
    }
    assert meta.variable_value_labels == expected
    assert meta.column_names_to_labels == {c.name: c.meaning for c in KINDS.columns}
    assert meta.file_label == KINDS.meaning
    _frame, meta = pyreadstat.read_dta(str(dta), metadataonly=True)
    assert meta.variable_value_labels == {name: {int(k): v for k, v in labels.items()} for name, labels in expected.items()}
    assert meta.column_names_to_labels == {c.name: c.meaning[:80] for c in KINDS.columns}
    assert len(meta.column_names_to_labels["value"]) == 80
    assert meta.file_label == KINDS.meaning


def test_no_date_finer_than_the_month_of_export(tmp_path):
    infos, sav, dta, _result = export(tmp_path, KINDS, KINDS.columns, kinds_rows())
    today = clock.today()
    for info in infos.values():
        assert info.date_time == (today.year, today.month, 1, 0, 0, 0)
    _frame, meta = pyreadstat.read_sav(str(sav), metadataonly=True)
    assert (meta.creation_time.day, meta.creation_time.hour, meta.creation_time.minute) == (1, 0, 0)
    assert b"<timestamp>\x00</timestamp>" in dta.read_bytes()[:400]


def test_a_string_longer_than_spss_allows_is_cut_in_the_sav_only(tmp_path):
    long = "æ" * 20_000 + "ø"  # 40,002 bytes
    rows = [row[:-1] + [text] for row, text in zip(kinds_rows(), (long, "kort", ""))]
    _infos, sav, dta, result = export(tmp_path, KINDS, KINDS.columns, rows)
    assert result == {"basis": 1}
    frame, _meta = pyreadstat.read_sav(str(sav))
    assert frame["basis"].iloc[0] == "æ" * (statsfiles.SAV_STRING // 2)  # cut at a letter, 32,766 bytes
    assert list(frame["basis"].iloc[1:]) == ["kort", ""]
    frame, _meta = pyreadstat.read_dta(str(dta))
    assert list(frame["basis"]) == [long, "kort", ""]  # strL: whole
    assert list(pandas.read_stata(dta)["basis"]) == [long, "kort", ""]


def test_an_empty_table_gives_files_with_the_columns_and_no_rows(tmp_path):
    _infos, sav, dta, _result = export(tmp_path, KINDS, KINDS.columns, [])
    for reader in (pyreadstat.read_sav, pyreadstat.read_dta):
        frame, meta = reader(str(sav if reader is pyreadstat.read_sav else dta))
        assert list(frame.columns) == [c.name for c in KINDS.columns] and len(frame) == 0
    assert len(pandas.read_stata(dta)) == 0


def test_a_value_outside_the_declared_categories_is_an_error_not_a_missing_value(tmp_path):
    row = kinds_rows()[1]
    row[3] = "certain"
    with pytest.raises(ValueError, match="certain"):
        export(tmp_path, KINDS, KINDS.columns, [row])
    source = tmp_path / "other.csv"
    write_csv(source, [c.name for c in KINDS.columns], [kinds_rows()[1]])
    with zipfile.ZipFile(io.BytesIO(), "w") as archive, pytest.raises(ValueError, match="header"):
        statsfiles.add(archive, KINDS, KINDS.columns[::-1], source)


def fake_value(column, rng, i):
    if column.type == "boolean":
        return rng.choice(["true", "false"])
    if column.values:
        return str(rng.choice(column.values))
    if column.type == "integer":
        return rng.choice([str(rng.randint(0, 900)), ""])
    if column.type == "number":
        return str(rng.random())
    if column.kind == "free_text":
        return rng.choice(["", "Talte om trivsel; æøå.", "Pratade om mående, åäö.", "[NAME] " * rng.randint(1, 60)])
    return f"{column.name[0].upper()}-{rng.getrandbits(64):016x}" if rng.random() < 0.9 or column.required else ""


@pytest.mark.parametrize("free_text", [False, True])
def test_every_table_of_the_data_dictionary_round_trips(tmp_path, free_text):
    rng = random.Random(5)
    for table_ in TABLES:
        table_columns = columns(table_, free_text)
        rows = [[fake_value(c, rng, i) for c in table_columns] for i in range(40)]
        _infos, sav, dta, _result = export(tmp_path, table_, table_columns, rows)
        frame, meta = pyreadstat.read_sav(str(sav))
        assert_same_as_csv(table_columns, rows, frame, meta.variable_value_labels, spss=True)
        for column in table_columns:
            expected = "scale" if column.type == "integer" and not column.values else (
                "ordinal" if column.type == "integer" or column.values == ("low", "medium", "high") else "nominal")
            assert meta.variable_measure[column.name] == expected, (table_.name, column.name)
        frame, meta = pyreadstat.read_dta(str(dta))
        assert_same_as_csv(table_columns, rows, frame, meta.variable_value_labels, spss=False)


def peak_memory(tmp_path, n):
    table_ = next(t for t in TABLES if t.name == "expectations")
    table_columns = columns(table_, True)
    rng = random.Random(n)
    source = tmp_path / f"rows-{n}.csv"
    with open(source, "w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([c.name for c in table_columns])
        for i in range(n):
            writer.writerow([fake_value(c, rng, i) for c in table_columns])
    with open(tmp_path / f"out-{n}.zip", "wb") as out, zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        tracemalloc.start()
        try:
            statsfiles.add(archive, table_, table_columns, source)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


def test_memory_does_not_grow_with_the_number_of_rows(tmp_path):
    small, large = peak_memory(tmp_path, 5_000), peak_memory(tmp_path, 40_000)
    assert large < 32 * 1024 * 1024, large  # a batch of rows, whatever the table's size
    assert large < small * 1.5, (small, large)
