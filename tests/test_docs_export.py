"""docs/research-export.md documents every column the export can write."""
from pathlib import Path

from journal.datadict import TABLES

DOC = (Path(__file__).resolve().parent.parent / "docs" / "research-export.md").read_text()


def test_every_table_and_column_is_documented():
    for table in TABLES:
        assert f"`{table.name}.csv`" in DOC
        for column in table.columns:
            assert f"| `{column.name}` |" in DOC, (table.name, column.name)


def test_free_text_columns_come_last_in_every_table():
    """The export cuts each row short when free text is left out (export._write_csv)."""
    for table in TABLES:
        kinds = [c.kind == "free_text" for c in table.columns]
        assert kinds == sorted(kinds), table.name
