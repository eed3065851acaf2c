"""`parley query`: the table views and ready-made views over a small hand-built table set, the GDELT and POLECAT
layouts, empty views for missing tables, and the command line (real files, real DuckDB, the venv's `parley`)."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from parley.schemas import arrow_schema, field_names

from parley.query import connect

PARLEY = Path(sys.executable).with_name("parley")
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"


def _filled(table: str, row: dict) -> dict:
    """The row with every schema column: given values, else null or an empty value for non-null columns."""
    defaults = {pa.string(): "", pa.int32(): 0, pa.float64(): 0.0, pa.bool_(): False}
    filled = {}
    for field in arrow_schema(table):
        if field.name in row:
            filled[field.name] = row[field.name]
        elif field.nullable:
            filled[field.name] = None
        else:
            filled[field.name] = [] if pa.types.is_list(field.type) else defaults[field.type]
    return filled


def write_table(out: Path, table: str, rows: list[dict], dt_of, drop: tuple[str, ...] = ()) -> None:
    """Hive layout as `parley batch` writes it: OUT/parquet/<table>/dt=<day>/part-*.parquet."""
    partitions: dict[str, list[dict]] = {}
    for row in rows:
        day = dt_of(row)
        partitions.setdefault(day.isoformat() if day else NULL_PARTITION, []).append(_filled(table, row))
    for dt, part in partitions.items():
        folder = out / "parquet" / table / f"dt={dt}"
        folder.mkdir(parents=True, exist_ok=True)
        data = pa.Table.from_pylist(part, schema=arrow_schema(table))
        pq.write_table(data.drop_columns(list(drop)), folder / "part-00000-of-00001-test.parquet")


def at(day: str, clock: str = "00:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{clock}:00").replace(tzinfo=UTC)


A1, A2, A3 = "a1" * 12, "a2" * 12, "a3" * 12
PUBLISHED = {A1: at("2024-01-01", "08:30"), A2: at("2024-01-02"), A3: None}
ARTICLES = [
    {"article_id": A1, "doc_id": "doc-1", "source": "Wire", "url": "https://example.org/a1", "title": "Talks in Moscow",
     "published_at": PUBLISHED[A1], "language": "en"},
    {"article_id": A2, "doc_id": "doc-2", "source": "Wire", "title": "Sanctions", "published_at": PUBLISHED[A2],
     "language": "en"},
    {"article_id": A3, "doc_id": "doc-3", "title": "Undated", "language": "en"},
]  # fmt: skip
PARAGRAPHS = [
    {"paragraph_id": "p1", "article_id": A1, "paragraph_index": 0, "text": "Lead.", "published_at": PUBLISHED[A1]},
    {"paragraph_id": "p2", "article_id": A1, "paragraph_index": 1, "text": "Second.", "published_at": PUBLISHED[A1]},
    {"paragraph_id": "p3", "article_id": A2, "paragraph_index": 0, "text": "Sanctions.", "published_at": PUBLISHED[A2]},
    {"paragraph_id": "p4", "article_id": A3, "paragraph_index": 0, "text": "Undated."},
]
TOPICS = [
    {"topic_id": "t1", "paragraph_id": "p1", "article_id": A1, "topic": "DIPLOMACY", "score": 0.9},
    {"topic_id": "t2", "paragraph_id": "p1", "article_id": A1, "topic": "MEDIATION", "score": 0.5},
    {"topic_id": "t3", "paragraph_id": "p3", "article_id": A2, "topic": "SANCTIONS", "score": 0.8},
]
MENTIONS = [
    {"mention_id": "m1", "paragraph_id": "p1", "article_id": A1, "text": "President Macron", "actor_code": "FRAGOV",
     "country": "FRA", "sector": "GOV", "actor_name": "Emmanuel Macron", "actor_kind": "person", "office": "President"},
    {"mention_id": "m2", "paragraph_id": "p3", "article_id": A2, "text": "the UN", "actor_code": "UN",
     "sector": "IGO", "actor_name": "United Nations", "actor_kind": "organisation"},
]  # fmt: skip


def interaction(number: int, article: str, paragraph: str, source: tuple, target: tuple | None, **extra) -> dict:
    """source/target: (code, country, sector, name, text)."""
    row = {
        "interaction_id": f"{number:015x}{'f' * 9}",  # 24 hex digits like the real content hashes
        "article_id": article,
        "doc_id": {A1: "doc-1", A2: "doc-2", A3: "doc-3"}[article],
        "paragraph_id": paragraph,
        "sentence_text": f"Sentence {number}.",
        "published_at": PUBLISHED[article],
        "event_date_source": "published",
        "coder_version": "test",
        "confidence": 0.5,
    }
    for side, actor in (("source", source), ("target", target)):
        if actor:
            code, country, sector, name, text = actor
            row |= {f"{side}_code": code, f"{side}_country": country, f"{side}_sector": sector}
            row |= {f"{side}_name": name, f"{side}_text": text}
    return row | extra


FRA = ("FRAGOV", "FRA", "GOV", "Emmanuel Macron", "President Macron")
RUS = ("RUSGOV", "RUS", "GOV", "Vladimir Putin", "Putin")
TALKS = {"cameo_code": "040", "cameo_root": "04", "cameo_label": "Consult", "quad_class": 1, "goldstein": 1.0,
         "trigger": "held talks", "is_symmetric": True, "sentence_index": 0,
         "event_date": date(2024, 1, 1)}  # fmt: skip
INTERACTIONS = [
    interaction(1, A1, "p1", FRA, RUS, cameo_code="036", cameo_root="03", cameo_label="Express intent to meet",
                quad_class=1, goldstein=3.0, event_date=date(2024, 1, 1), trigger="agreed to meet",
                location_name="Moscow", location_country="RUS", location_lat=55.75, location_lon=37.62,
                plover_type="AGREE", topics=["DIPLOMACY", "MEDIATION"], confidence=0.95),
    interaction(2, A1, "p2", FRA, RUS, **TALKS),  # a symmetric event: coded both ways
    interaction(3, A1, "p2", RUS, FRA, **TALKS),
    interaction(4, A2, "p3", RUS, FRA, cameo_code="190", cameo_root="19", cameo_label="Use conventional force",
                quad_class=4, goldstein=-9.5, event_date=date(2024, 1, 2), location_name="France",
                location_country="FRA", topics=["SANCTIONS"]),
    interaction(5, A2, "p3", RUS, FRA, cameo_code="111", cameo_root="11", cameo_label="Criticize or denounce",
                quad_class=3, goldstein=-4.0),  # no event date: the day is the publication date
    interaction(6, A2, "p3", ("UN", None, "IGO", "United Nations", "the UN"), ("YEM", "YEM", None, "Yemen", "Yemen"),
                source_type="igo", target_type="state", cameo_code="073", cameo_root="07",
                cameo_label="Provide humanitarian aid", quad_class=2, goldstein=7.4, event_date=date(2024, 1, 2)),
    interaction(7, A3, "p4", ("USA", "USA", None, "United States", "Washington"),
                ("CHN", "CHN", None, "China", "Beijing"), cameo_code="010", cameo_root="01",
                cameo_label="Make statement", quad_class=1, goldstein=0.0),
    interaction(8, A2, "p3", ("KENCOP", "KEN", "COP", "Kenya", "police"), None, cameo_code="112", cameo_root="11",
                cameo_label="Accuse", quad_class=3, goldstein=-2.0),
]  # fmt: skip


def day_of_article(row: dict) -> date | None:
    published = PUBLISHED[row["article_id"]]
    return published.date() if published else None


def build_tables(out: Path, drop_interaction_columns: tuple[str, ...] = ()) -> Path:
    """The hand-built table set (no dead_letters rows, so that table has no folder, as after a clean run)."""
    write_table(out, "articles", ARTICLES, day_of_article)
    write_table(out, "paragraphs", PARAGRAPHS, day_of_article)
    write_table(out, "topics", TOPICS, day_of_article)
    write_table(out, "actor_mentions", MENTIONS, day_of_article)
    write_table(out, "interactions", INTERACTIONS, day_of_article, drop=drop_interaction_columns)
    return out


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> Path:
    return build_tables(tmp_path_factory.mktemp("query") / "out")


@pytest.fixture(scope="module")
def con(tables):
    return connect(tables)


def number(interaction_id: str) -> int:
    return int(interaction_id[:15], 16)


def rows(con, sql: str) -> list[dict]:
    result = con.execute(sql)
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


def test_every_table_has_a_view_with_its_schema_columns_and_dt(con):
    for table in ("articles", "paragraphs", "actor_mentions", "topics", "interactions", "dead_letters"):
        columns = [d[0] for d in con.execute(f"SELECT * FROM {table} LIMIT 0").description]
        assert columns == [*field_names(table), "dt"], table
    counts = {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "interactions")}
    assert counts == {"articles": 3, "interactions": 8}
    days = con.execute("SELECT article_id, dt FROM articles ORDER BY article_id").fetchall()
    assert days == [(A1, date(2024, 1, 1)), (A2, date(2024, 1, 2)), (A3, None)]  # the default partition is null


def test_a_missing_table_is_an_empty_view_with_the_types_of_its_avsc(con):
    assert con.execute("SELECT count(*) FROM dead_letters").fetchone() == (0,)
    types = dict(con.execute("SELECT column_name, column_type FROM (DESCRIBE dead_letters)").fetchall())
    assert types["seen_at"] == "TIMESTAMP WITH TIME ZONE" and types["dt"] == "DATE" and types["reason"] == "VARCHAR"
    # The same types as a table read from files: a UNION of a real and an empty view binds.
    con.execute("SELECT published_at, topics FROM interactions UNION ALL SELECT published_at, topics FROM interactions")


def test_views_work_when_only_interactions_exist(tmp_path):
    write_table(tmp_path, "interactions", INTERACTIONS, day_of_article)
    only = connect(tmp_path)
    for view in ("interactions_enriched", "dyads", "daily_index", "gdelt_events", "polecat_events"):
        assert only.execute(f"SELECT count(*) FROM {view}").fetchone()[0] > 0, view
    enriched = rows(only, "SELECT article_title, paragraph_index, topic_scores FROM interactions_enriched LIMIT 1")
    assert enriched == [{"article_title": None, "paragraph_index": None, "topic_scores": []}]


def test_files_without_a_newer_column_read_it_as_null(tmp_path):
    build_tables(tmp_path, drop_interaction_columns=("source_type", "target_type"))
    older = connect(tmp_path)
    assert older.execute("SELECT count(*), count(source_type) FROM interactions").fetchone() == (8, 0)
    # Without source_type the organisation is still recognised (no country, a code that is not a sector).
    assert older.execute("SELECT Actor1KnownGroupCode FROM gdelt_events WHERE Actor1Code = 'UN'").fetchone() == ("UN",)


def test_dyads_count_by_quad_class_with_mean_goldstein(con):
    found = {(r["source_country"], r["target_country"]): r for r in rows(con, "SELECT * FROM dyads")}
    assert set(found) == {("FRA", "RUS"), ("RUS", "FRA"), ("USA", "CHN")}  # no UN (no country), no KEN (no target)
    fra_rus, rus_fra = found[("FRA", "RUS")], found[("RUS", "FRA")]
    assert (fra_rus["interactions"], fra_rus["verbal_cooperation"], fra_rus["articles"]) == (2, 2, 1)
    assert fra_rus["mean_goldstein"] == pytest.approx(2.0)
    assert [rus_fra[k] for k in ("interactions", "verbal_cooperation", "material_cooperation")] == [3, 1, 0]
    assert [rus_fra[k] for k in ("verbal_conflict", "material_conflict", "articles")] == [1, 1, 2]
    assert rus_fra["mean_goldstein"] == pytest.approx((1.0 - 9.5 - 4.0) / 3)
    assert (rus_fra["first_day"], rus_fra["last_day"]) == (date(2024, 1, 1), date(2024, 1, 2))
    assert found[("USA", "CHN")]["first_day"] is None  # undated article, no event date


def test_daily_index_counts_a_symmetric_event_once_and_weights_by_goldstein(con):
    index = {(r["country_a"], r["country_b"], r["day"]): r for r in rows(con, "SELECT * FROM daily_index")}
    assert set(index) == {("FRA", "RUS", date(2024, 1, 1)), ("FRA", "RUS", date(2024, 1, 2)), ("CHN", "USA", None)}
    first = index[("FRA", "RUS", date(2024, 1, 1))]  # #1 and the talks (#2 and #3 are one event)
    assert [first[k] for k in ("events", "cooperation", "conflict", "net_cooperation")] == [2, 2, 0, 2]
    assert first["cooperation_goldstein"] == pytest.approx(4.0) and first["goldstein_index"] == pytest.approx(4.0)
    second = index[("FRA", "RUS", date(2024, 1, 2))]  # #4 (dated) and #5 (undated: published that day)
    assert [second[k] for k in ("events", "cooperation", "conflict", "net_cooperation")] == [2, 0, 2, -2]
    assert second["conflict_goldstein"] == pytest.approx(13.5) and second["goldstein_index"] == pytest.approx(-13.5)


def test_interactions_enriched_joins_paragraphs_articles_and_topics(con):
    found = {number(r["interaction_id"]): r for r in rows(con, "SELECT * FROM interactions_enriched")}
    first = found[1]
    assert (first["paragraph_index"], first["article_title"], first["article_url"]) == (
        0,
        "Talks in Moscow",
        "https://example.org/a1",
    )
    assert first["primary_topic"] == "DIPLOMACY"
    assert [t["topic"] for t in first["topic_scores"]] == ["DIPLOMACY", "MEDIATION"]
    assert found[4]["primary_topic"] == "SANCTIONS" and found[2]["topic_scores"] == []
    assert found[5]["event_day"] == date(2024, 1, 2) and found[7]["event_day"] is None
    assert set(first) >= set(field_names("interactions"))


# The GDELT 2.0 event table (codebook V2.0; BigQuery gdelt-bq.gdeltv2.events): INTEGER, FLOAT, STRING.
GDELT_2_EVENT_COLUMNS = (
    "GLOBALEVENTID:I SQLDATE:I MonthYear:I Year:I FractionDate:F "
    "Actor1Code:S Actor1Name:S Actor1CountryCode:S Actor1KnownGroupCode:S Actor1EthnicCode:S Actor1Religion1Code:S "
    "Actor1Religion2Code:S Actor1Type1Code:S Actor1Type2Code:S Actor1Type3Code:S "
    "Actor2Code:S Actor2Name:S Actor2CountryCode:S Actor2KnownGroupCode:S Actor2EthnicCode:S Actor2Religion1Code:S "
    "Actor2Religion2Code:S Actor2Type1Code:S Actor2Type2Code:S Actor2Type3Code:S "
    "IsRootEvent:I EventCode:S EventBaseCode:S EventRootCode:S QuadClass:I GoldsteinScale:F "
    "NumMentions:I NumSources:I NumArticles:I AvgTone:F "
    "Actor1Geo_Type:I Actor1Geo_FullName:S Actor1Geo_CountryCode:S Actor1Geo_ADM1Code:S Actor1Geo_ADM2Code:S "
    "Actor1Geo_Lat:F Actor1Geo_Long:F Actor1Geo_FeatureID:S "
    "Actor2Geo_Type:I Actor2Geo_FullName:S Actor2Geo_CountryCode:S Actor2Geo_ADM1Code:S Actor2Geo_ADM2Code:S "
    "Actor2Geo_Lat:F Actor2Geo_Long:F Actor2Geo_FeatureID:S "
    "ActionGeo_Type:I ActionGeo_FullName:S ActionGeo_CountryCode:S ActionGeo_ADM1Code:S ActionGeo_ADM2Code:S "
    "ActionGeo_Lat:F ActionGeo_Long:F ActionGeo_FeatureID:S DATEADDED:I SOURCEURL:S"
)


def test_gdelt_events_has_the_gdelt_2_column_names_order_and_types(con):
    expected = [
        (name, {"I": "BIGINT", "F": "DOUBLE", "S": "VARCHAR"}[kind])
        for name, kind in (item.split(":") for item in GDELT_2_EVENT_COLUMNS.split())
    ]
    assert len(expected) == 61
    assert con.execute("SELECT column_name, column_type FROM (DESCRIBE gdelt_events)").fetchall() == expected


def test_gdelt_events_fill_what_parley_has(con):
    events = {r["GLOBALEVENTID"]: r for r in rows(con, "SELECT * FROM gdelt_events")}
    assert len(events) == 8
    first = events[1]  # the id's first 15 hex digits as an integer
    assert [first[k] for k in ("SQLDATE", "MonthYear", "Year", "FractionDate")] == [20240101, 202401, 2024, 2024.0849]
    assert [first[k] for k in ("Actor1Code", "Actor1Name", "Actor1CountryCode", "Actor1Type1Code")] == [
        "FRAGOV",
        "EMMANUEL MACRON",
        "FRA",
        "GOV",
    ]
    assert [first[k] for k in ("EventCode", "EventBaseCode", "EventRootCode", "QuadClass", "GoldsteinScale")] == [
        "036",
        "036",
        "03",
        1,
        3.0,
    ]
    assert (first["IsRootEvent"], first["NumMentions"], first["AvgTone"]) == (1, 1, None)
    assert [first[k] for k in ("ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode")] == [
        4,
        "Moscow, Russia",
        "RS",  # FIPS 10-4, as GDELT
    ]
    assert (first["ActionGeo_Lat"], first["ActionGeo_Long"], first["Actor1Geo_Type"]) == (55.75, 37.62, 0)
    assert (first["DATEADDED"], first["SOURCEURL"]) == (20240101083000, "https://example.org/a1")
    assert events[2]["IsRootEvent"] == 0  # second paragraph
    country_level = events[4]
    assert [country_level[k] for k in ("ActionGeo_Type", "ActionGeo_FullName", "ActionGeo_CountryCode")] == [
        1,
        "France",
        "FR",
    ]
    assert (country_level["ActionGeo_ADM1Code"], country_level["SOURCEURL"]) == ("FR", "doc-2")
    assert events[5]["SQLDATE"] == 20240102  # no event date: the publication date
    un = events[6]
    assert (un["Actor1KnownGroupCode"], un["Actor1CountryCode"], un["Actor1Type1Code"]) == ("UN", None, "IGO")
    assert un["Actor2KnownGroupCode"] is None
    assert (events[8]["Actor2Code"], events[8]["Actor2Name"]) == (None, None)
    assert events[7]["SQLDATE"] is None  # neither an event date nor a publication date


POLECAT_COLUMNS = [
    "Event ID", "Event Date", "Event Type", "Event Mode", "Event Intensity", "Quad Code", "Contexts",
    "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector", "Actor Sectors", "Actor Title",
    "Actor Name Raw", "Wikipedia Actor ID",
    "Recipient Name", "Recipient Country", "Recipient COW", "Primary Recipient Sector", "Recipient Sectors",
    "Recipient Title", "Recipient Name Raw", "Wikipedia Recipient ID",
    "Placename", "City", "District", "Province", "Country", "Latitude", "Longitude", "GeoNames ID", "Raw Placename",
    "Feature Type", "Source", "Publication Date", "Story People", "Story Organizations", "Story Locations",
    "Language", "Version",
]  # fmt: skip


def test_polecat_events_has_the_polecat_layout(con):
    assert [d[0] for d in con.execute("SELECT * FROM polecat_events LIMIT 0").description] == POLECAT_COLUMNS
    events = {number(r["Event ID"]): r for r in rows(con, "SELECT * FROM polecat_events")}
    first = events[1]
    assert [first[k] for k in ("Event Date", "Event Type", "Quad Code", "Event Intensity")] == [
        date(2024, 1, 1),
        "AGREE",
        "VERBAL COOPERATION",
        3.0,
    ]
    assert [first[k] for k in ("Actor Name", "Actor Country", "Actor Title", "Actor Name Raw")] == [
        "Emmanuel Macron",
        "FRA",
        "President",
        "President Macron",
    ]
    assert [first[k] for k in ("City", "Country", "Latitude", "Source", "Publication Date", "Language")] == [
        "Moscow",
        "RUS",
        55.75,
        "Wire",
        date(2024, 1, 1),
        "en",
    ]
    assert (first["Story People"], first["Story Locations"]) == ("Emmanuel Macron", "Moscow")
    assert events[4]["Quad Code"] == "MATERIAL CONFLICT" and events[4]["City"] is None
    assert events[6]["Story Organizations"] == "United Nations"


# ------------------------------------------------------------------------------------------ command line


def parley(*args: str, stdin=subprocess.DEVNULL) -> subprocess.CompletedProcess:
    return subprocess.run([str(PARLEY), *args], stdin=stdin, capture_output=True, text=True, timeout=120)


def test_bad_sql_prints_duckdbs_error_and_exits_non_zero_without_a_traceback(tables):
    result = parley("query", str(tables), "SELEC * FROM dyads")
    assert result.returncode == 1
    assert "Parser Error" in result.stderr and 'syntax error at or near "SELEC"' in result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    missing = parley("query", str(tables), "SELECT * FROM no_such_view")
    assert missing.returncode == 1 and "Catalog Error" in missing.stderr and "Traceback" not in missing.stderr


def test_sql_prints_a_table(tables):
    result = parley("query", str(tables), "SELECT source_country, target_country, interactions FROM dyads ORDER BY 1")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert any("FRA" in line and "RUS" in line and "│" in line and " 2 " in line for line in lines), result.stdout


def test_out_writes_csv_and_parquet(tables, tmp_path):
    sql = "SELECT GLOBALEVENTID, SQLDATE, EventCode FROM gdelt_events ORDER BY GLOBALEVENTID"
    result = parley("query", str(tables), sql, "--out", str(tmp_path / "events.csv"))
    assert result.returncode == 0 and "8 rows written" in result.stdout
    csv_lines = (tmp_path / "events.csv").read_text().splitlines()
    assert csv_lines[0] == "GLOBALEVENTID,SQLDATE,EventCode" and csv_lines[1] == "1,20240101,036"
    result = parley("query", str(tables), sql, "--out", str(tmp_path / "events.parquet"))
    assert result.returncode == 0
    table = pq.read_table(tmp_path / "events.parquet")
    assert table.num_rows == 8 and table.schema.field("SQLDATE").type == pa.int64()
    assert parley("query", str(tables), sql, "--out", str(tmp_path / "events.xlsx")).returncode == 2


def test_without_sql_and_a_terminal_it_prints_a_summary(tables):
    result = parley("query", str(tables))
    assert result.returncode == 0, result.stderr
    assert "interactions" in result.stdout and "dead_letters" in result.stdout and "empty view" in result.stdout
    assert "FRA->RUS" in result.stdout or "RUS->FRA" in result.stdout


def test_sql_from_stdin(tables):
    process = subprocess.run(
        [str(PARLEY), "query", str(tables), "-"], input="SELECT count(*) AS n FROM interactions;", text=True,
        capture_output=True, timeout=120,
    )  # fmt: skip
    assert process.returncode == 0 and " 8 " in process.stdout


def test_a_folder_without_tables_is_a_usage_error(tmp_path):
    result = parley("query", str(tmp_path / "nowhere"), "SELECT 1")
    assert result.returncode == 2 and "does not exist" in result.stderr and "Traceback" not in result.stderr


def test_the_shell_runs_sql_and_exits_cleanly_on_eof(tables):
    """On a terminal (a pseudo-terminal here) `parley query DIR` is a small shell; Ctrl-D leaves it with 0."""
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [str(PARLEY), "query", str(tables)], stdin=follower, stdout=follower, stderr=follower, close_fds=True,
        env={**os.environ, "TERM": "dumb"},
    )  # fmt: skip
    os.close(follower)
    output = b""

    def read_until(marker: bytes, timeout: float = 60) -> None:
        """Read until `marker` appears in what the shell wrote since the last call."""
        nonlocal output
        start = len(output)
        deadline = time.monotonic() + timeout
        while marker not in output[start:] and time.monotonic() < deadline:
            ready, _, _ = select.select([leader], [], [], 0.5)
            if ready:
                try:
                    output += os.read(leader, 65536)
                except OSError:
                    return

    try:
        read_until(b"parley> ")
        os.write(leader, b"SELECT count(*) AS n_events\n")
        read_until(b"...> ")
        os.write(leader, b"FROM interactions;\n")
        read_until(b"parley> ")  # the result, then the next prompt: readline is reading again
        os.write(leader, b"SELECT nonsense FROM nowhere;\n")
        read_until(b"parley> ")
        os.write(leader, b"\x04")  # Ctrl-D on an empty line: end of input
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    text = output.decode("utf-8", "replace")
    assert "n_events" in text and "8" in text.split("n_events", 1)[1]
    assert "Catalog Error" in text and "Traceback" not in text


def test_views_read_the_tables_parley_batch_wrote(tables):
    """DuckDB also reads the same folders directly (the README's own query)."""
    direct = duckdb.sql(
        f"SELECT count(*) FROM read_parquet('{tables}/parquet/interactions/*/*.parquet', hive_partitioning = true)"
    ).fetchall()
    assert direct == connect(tables).execute("SELECT count(*) FROM interactions").fetchall() == [(8,)]
