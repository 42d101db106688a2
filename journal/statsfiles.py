"""SPSS (.sav) and Stata (.dta) copies of the export's tables, with variable and value labels.

Optional (the `stats` extra: pandas and pyreadstat). Categorical columns become integer
codes 1…n with value labels, so they arrive in SPSS and Stata as labelled categories rather
than strings; booleans become 0/1 labelled false/true. Variable labels come from the data
dictionary, like the codebook. Unlike the CSVs, each table is held in memory while written.
"""
import os
import tempfile

STATA_LABEL = 80  # Stata's limit on a variable label


def _coded(column):
    if column.type == "string" and column.values:
        return {value: code for code, value in enumerate(column.values, start=1)}
    if column.type == "boolean":
        return {"false": 0, "true": 1}
    return None


def frame(table_columns, rows):
    """(DataFrame, value labels, variable labels) for one table."""
    import pandas

    data, value_labels = {}, {}
    for column in table_columns:
        codes = _coded(column)
        values = [row.get(column.name) for row in rows]
        if codes:
            data[column.name] = pandas.array([codes.get(v) for v in values], dtype="Int64").astype("float64")
            value_labels[column.name] = {code: str(label) for label, code in codes.items()}
        elif column.type == "integer":
            data[column.name] = pandas.array([None if v is None else int(v) for v in values], dtype="Int64").astype("float64")
        else:
            data[column.name] = ["" if v is None else str(v) for v in values]
    labels = {c.name: c.meaning for c in table_columns}
    return pandas.DataFrame(data, columns=[c.name for c in table_columns]), value_labels, labels


def add(archive, table_, table_columns, csv_path):
    """Write <table>.sav and <table>.dta into the open zip *archive*, from the table's CSV at
    *csv_path* (header = column names; empty cell = missing)."""
    import csv

    import pyreadstat

    with open(csv_path, encoding="utf-8", newline="") as stream:
        rows = [{k: (v if v != "" else None) for k, v in row.items()} for row in csv.DictReader(stream)]
    df, value_labels, labels = frame(table_columns, rows)
    with tempfile.TemporaryDirectory() as folder:
        sav = os.path.join(folder, f"{table_.name}.sav")
        dta = os.path.join(folder, f"{table_.name}.dta")
        pyreadstat.write_sav(df, sav, file_label=table_.meaning[:64], column_labels=labels, variable_value_labels=value_labels)
        pyreadstat.write_dta(
            df, dta, file_label=table_.meaning[:80],
            column_labels={k: v[:STATA_LABEL] for k, v in labels.items()}, variable_value_labels=value_labels,
        )
        archive.write(sav, f"{table_.name}.sav")
        archive.write(dta, f"{table_.name}.dta")
