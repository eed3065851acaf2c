"""The README stays true: the quick start is the two make commands and every table column is documented."""

from __future__ import annotations

import re

from parley.schemas import TABLES, field_names

from .conftest import REPO


def test_quick_start_is_make_demo_and_make_test():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    quick_start = readme.split("## Quick start", 1)[1].split("##", 1)[0]
    commands = re.findall(r"^make \w+", quick_start, flags=re.MULTILINE)
    assert commands == ["make demo", "make test"]
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_every_column_of_every_table_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for table in TABLES:
        row = next(line for line in readme.splitlines() if line.startswith(f"| `{table}` |"))
        documented = set(re.findall(r"[a-z_0-9]+", row.split("|")[3]))
        missing = [c for c in field_names(table) if c not in documented]
        assert not missing, f"README table row for {table} misses {missing}"
