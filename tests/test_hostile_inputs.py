"""Hostile input: a generated folder of ~60 inputs a real archive throws at you, run through ONE batch run.

The inputs are built here (nothing binary is committed). EXPECTED is the table the run is checked against, case by
case: a case is an input path relative to the folder, or `path#record_key` when one file holds several records,
and its outcome is `article`, `duplicate` or `dead_letter:<reason>`. Every record the run read must be a case
and every case must come out as expected; the run must balance (read = articles + dead-lettered records), write
nothing outside --output, and never print or record a credential from an --input URL.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import logging
import os
import re
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest
from parley.pipelines.batch import run

from .tables import parquet_rows

# The run lowers the decompression budget so that a bomb test stays small: 60 MB of zeros against 50 MB.
BUDGET = 50_000_000
SECRET = "s3cret-Pw0rd"
CREDENTIAL_INPUT = f"https://reader:{SECRET}@feeds.example.com/wire/*.jsonl?token={SECRET}"
CREDENTIAL_CASE = "https://reader:***@feeds.example.com/wire/*.jsonl?token=***"  # as it must be recorded
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0

ARTICLE, DUPLICATE = "article", "duplicate"


def dead(reason: str) -> str:
    return f"dead_letter:{reason}"


EXPECTED: dict[str, str] = {
    # encodings and bytes
    "article_ok.txt": ARTICLE,
    "invalid_utf8.txt": dead("invalid_utf8"),
    "utf16_bom.txt": ARTICLE,
    "latin1.txt": dead("invalid_utf8"),
    "image.png": dead("binary"),
    "nul_bytes.txt": dead("binary"),
    "bom_only.txt": dead("empty"),
    "empty.txt": dead("empty"),
    "whitespace_only.txt": dead("empty"),
    "punctuation_only.txt": dead("empty"),
    "control_chars.txt": ARTICLE,
    "crlf.txt": ARTICLE,
    "cr_only.txt": ARTICLE,
    "html_markup.txt": ARTICLE,
    "weird\nname ☃.txt": ARTICLE,
    # sizes and limits
    "huge_single_line.txt": dead("too_large"),
    "many_paragraphs.txt": dead("too_many_paragraphs"),
    "json_5mb_line.jsonl": dead("too_large"),
    "long_token.txt": ARTICLE,
    # languages and scripts
    "rtl_arabic.txt": dead("language"),
    "rtl_marks_in_english.txt": ARTICLE,
    "emoji_cjk_in_english.txt": ARTICLE,
    "chinese.txt": dead("language"),
    "spanish.jsonl": dead("language"),
    "english_quoting_french.txt": ARTICLE,
    # JSON shapes and types
    "wrong_shape.jsonl#line 1": dead("wrong_shape"),  # an array
    "wrong_shape.jsonl#line 2": dead("wrong_shape"),  # a string
    "wrong_shape.jsonl#line 3": dead("wrong_shape"),  # null
    "wrong_shape.jsonl#line 4": dead("no_text"),  # {}
    "wrong_types.jsonl#line 1": dead("bad_field"),  # text is a number
    "wrong_types.jsonl#line 2": dead("bad_field"),  # title is an object
    "wrong_types.jsonl#line 3": dead("bad_field"),  # text is a list
    "null_text.jsonl": dead("no_text"),
    "malformed.jsonl": dead("malformed_json"),
    "nbsp_text.jsonl": dead("empty"),
    "nested_50_levels.jsonl": ARTICLE,
    "nested_100k_levels.jsonl": dead("malformed_json"),
    "duplicate_keys.jsonl": ARTICLE,
    "huge_number.jsonl": ARTICLE,
    "lone_surrogate.jsonl": ARTICLE,
    "json_id_traversal.jsonl": ARTICLE,
    "ancient_date.jsonl": ARTICLE,
    "far_future_date.jsonl": ARTICLE,
    "bom_crlf.jsonl#line 1": ARTICLE,
    "bom_crlf.jsonl#line 2": ARTICLE,
    "blank_lines_only.jsonl": dead("empty"),
    "pretty_printed.json": ARTICLE,
    "array_document.json#item 1": ARTICLE,
    "array_document.json#item 2": ARTICLE,
    # compression
    "truncated_trailer.jsonl.gz#line 1": ARTICLE,
    "truncated_trailer.jsonl.gz#line 2": ARTICLE,
    "truncated_trailer.jsonl.gz#line 3": ARTICLE,
    "truncated_trailer.jsonl.gz#truncated_trailer.jsonl.gz (after record 3)": dead("corrupt_archive"),
    "truncated_mid.txt.gz": dead("corrupt_archive"),
    "bomb.txt.gz": dead("too_large"),
    "zero_byte.jsonl.gz": dead("empty"),
    "gzip_named_bz2.jsonl.bz2": ARTICLE,
    "plain_named_gz.jsonl.gz": ARTICLE,
    "not_gzip.jsonl.gz": dead("corrupt_archive"),
    # archives
    "members.tar#../../evil.txt:evil.txt": ARTICLE,  # a path-traversal member name is only a record key
    "members.tar#link.txt": dead("not_a_file"),  # a symlink member is not followed
    "members.tar#inner.jsonl.gz:line 1": ARTICLE,  # a compressed member is decompressed
    "members.tar#nested.zip": dead("nested_archive"),
    "zip_bomb.zip#bomb.txt": dead("too_large"),
    "zip_bomb.zip#ok.txt:ok.txt": ARTICLE,
    "empty_archive.tar": dead("empty"),
    # the file system
    "symlink_loop.txt": dead("symlink_loop"),
    "folder_loop": dead("symlink_loop"),
    "fifo.txt": dead("not_a_file"),
    "looks_like_article.txt": dead("not_a_file"),
    "unreadable.txt": dead("unreadable"),
    # the same article twice: the first by (input_uri, record_key) is kept
    "same_article_a.txt": ARTICLE,
    "same_article_b.txt": DUPLICATE,
    # an --input URL with credentials (no such filesystem here): one dead letter, masked
    CREDENTIAL_CASE: dead("unreadable"),
}

_COUNTRIES = [
    ("Egypt", "Jordan", "Cairo"),
    ("France", "Germany", "Paris"),
    ("Japan", "India", "Tokyo"),
    ("Brazil", "Argentina", "Brasilia"),
    ("Kenya", "Ethiopia", "Nairobi"),
    ("Norway", "Sweden", "Oslo"),
    ("Chile", "Peru", "Santiago"),
    ("Poland", "Lithuania", "Warsaw"),
]


def story(index: int, extra: str = "") -> str:
    """A distinct short English news story (distinct content: distinct article ids)."""
    first, second, city = _COUNTRIES[index % len(_COUNTRIES)]
    return (
        f"{first} and {second} held talks in {city} on Monday about trade and regional security, officials said "
        f"in a statement number {index}.\n\n"
        f"The foreign ministers of {first} and {second} agreed to meet again next month.{extra}\n"
    )


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes([x % 256, (x * 7) % 256, 90]) * 16 for x in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def jsonl(*records) -> bytes:
    return b"".join((r if isinstance(r, bytes) else json.dumps(r).encode()) + b"\n" for r in records)


def tar_bytes(members: list[tuple[str, bytes | None, str | None]]) -> bytes:
    """(name, data, symlink target) members."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data, link in members:
            info = tarfile.TarInfo(name)
            if link is not None:
                info.type, info.linkname = tarfile.SYMTYPE, link
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def write_hostile_inputs(folder: Path) -> None:
    folder.mkdir()

    def put(name: str, data: bytes | str) -> Path:
        path = folder / name
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path

    put("article_ok.txt", story(1))
    put("invalid_utf8.txt", story(2).encode() + b"Broken bytes: \xc3\x28 \xa0\xa1 here.\n")
    put("utf16_bom.txt", story(3).encode("utf-16"))
    put("latin1.txt", (story(4) + "The café owner in Zürich said the talks were très bien.").encode("latin-1"))
    put("image.png", png_bytes())
    put("nul_bytes.txt", story(5).encode() + b"\x00\x00hidden\x00")
    put("bom_only.txt", b"\xef\xbb\xbf")
    put("empty.txt", b"")
    put("whitespace_only.txt", " \n\t\n   \r\n\u00a0\n")
    put("punctuation_only.txt", "!!! ... ??? --- *** ¡¿ … — «»\n")
    put("control_chars.txt", story(6, " Bell \x07 escape \x1b[31m form feed \x0c unit \x1f separator."))
    put("crlf.txt", story(7).replace("\n", "\r\n"))
    put("cr_only.txt", story(8).replace("\n", "\r"))
    put(
        "html_markup.txt",
        "<html><head><title>Talks</title><script>var x = '<p>';</script></head><body>"
        f"<p>{story(9).replace(chr(10), ' ')}</p><p>&amp; more &lt;b&gt; entities.</p></body></html>",
    )
    put("weird\nname ☃.txt", story(10))
    put("huge_single_line.txt", ("Talks went on. " * 700_000)[:10_000_000])
    words = ["peace", "talks", "summit", "minister", "treaty", "border", "trade", "embassy", "envoy", "accord"]
    put("many_paragraphs.txt", "\n\n".join(words[i % len(words)] for i in range(100_000)))
    put("json_5mb_line.jsonl", jsonl({"id": "big", "text": "Talks went on. " * 350_000}))
    put("long_token.txt", story(11, " The envoy's code was " + "x" * 10_000 + " and nothing else."))
    put(
        "rtl_arabic.txt",
        "التقى الرئيس المصري بنظيره الأردني في القاهرة يوم الاثنين لبحث الأوضاع في المنطقة وسبل تعزيز التعاون "
        "بين البلدين في مجالات التجارة والطاقة والأمن، وفق بيان رسمي صدر عن الرئاسة.\n",
    )
    put(
        "rtl_marks_in_english.txt",
        story(12, " The Egyptian envoy \u200fمحمد\u200f met the \u202eJordanian\u202c minister in Amman."),
    )
    put(
        "emoji_cjk_in_english.txt",
        story(13, " Japanese Prime Minister 岸田文雄 met Chinese President 习近平 🇯🇵🤝🇨🇳 in Beijing 😀."),
    )
    put(
        "chinese.txt",
        "中国外交部发言人周一表示，中方愿与俄罗斯加强战略协作，共同维护地区和平稳定。"
        "双方领导人当天通电话，就乌克兰局势和双边关系交换了意见。\n",
    )
    spanish = (
        "El presidente del Gobierno español se reunió el lunes en Madrid con su homólogo portugués para analizar "
        "la cooperación bilateral en materia de energía, migración y seguridad. Ambos líderes acordaron celebrar "
        'una cumbre conjunta en Lisboa el próximo año. "We will keep talking," dijo un portavoz en inglés.'
    )
    put("spanish.jsonl", jsonl({"id": "es-1", "text": spanish}))
    put(
        "english_quoting_french.txt",
        "France's foreign minister spoke to reporters in Paris on Monday after talks with his German counterpart.\n\n"
        "« Nous ne reconnaîtrons jamais l'annexion de ce territoire », a-t-il déclaré.\n\n"
        "He said France and Germany would keep working with their partners in the European Union on the crisis, "
        "and that the two ministers would meet again in Berlin next month to prepare the summit.\n",
    )
    put("wrong_shape.jsonl", jsonl(b"[1, 2, 3]", b'"just a string"', b"null", b"{}"))
    put(
        "wrong_types.jsonl",
        jsonl(
            {"id": "t1", "text": 42},
            {"id": "t2", "text": story(14), "title": {"a": 1}},
            {"id": "t3", "text": ["a"]},
        ),
    )
    put("null_text.jsonl", jsonl({"id": "n1", "text": None}))
    put("malformed.jsonl", b'{"id": "m1", "text": "Egypt praised Jordan\n')
    put("nbsp_text.jsonl", jsonl({"id": "nb", "text": "\u00a0\u2003 \t"}))
    nested: dict = {"leaf": True}
    for _ in range(50):
        nested = {"a": nested}
    put("nested_50_levels.jsonl", jsonl({"id": "n50", "text": story(15), "meta": nested}))
    put("nested_100k_levels.jsonl", b'{"id": "deep", "text": "x", "meta": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    put("duplicate_keys.jsonl", f'{{"id": "dk", "text": "ignored first copy", "text": {json.dumps(story(16))}}}\n')
    put("huge_number.jsonl", f'{{"id": {"9" * 5000}, "text": {json.dumps(story(17))}, "date": 1e999}}\n')
    put("lone_surrogate.jsonl", '{"id": "sur\\udc80", "text": "' + story(18).replace("\n", " ") + ' \\ud800 end."}\n')
    put("json_id_traversal.jsonl", jsonl({"id": "../../x", "text": story(19), "source": "../../source"}))
    put("ancient_date.jsonl", jsonl({"id": "old", "text": story(20), "date": "0001-01-01T00:00:00+05:00"}))
    put("far_future_date.jsonl", jsonl({"id": "future", "text": story(21), "date": "9999-12-31"}))
    put(
        "bom_crlf.jsonl",
        b"\xef\xbb\xbf"
        + jsonl({"id": "bc1", "text": story(22)}, {"id": "bc2", "text": story(23)}).replace(b"\n", b"\r\n"),
    )
    put("blank_lines_only.jsonl", "\n\n   \n\r\n")
    put("pretty_printed.json", json.dumps({"id": "pretty", "text": story(24), "source": "Wire"}, indent=2))
    put("array_document.json", json.dumps([{"id": "arr1", "text": story(25)}, {"id": "arr2", "text": story(26)}]))
    lines = jsonl(*({"id": f"tr{i}", "text": story(30 + i)} for i in range(3)))
    put("truncated_trailer.jsonl.gz", gzip.compress(lines)[:-8])  # the CRC and size trailer is missing
    put("truncated_mid.txt.gz", gzip.compress(story(33).encode() * 20)[:40])
    bomb = zlib.compressobj(9, zlib.DEFLATED, 31)
    put("bomb.txt.gz", b"".join(bomb.compress(b"\x00" * 1_000_000) for _ in range(60)) + bomb.flush())
    put("zero_byte.jsonl.gz", b"")
    put("gzip_named_bz2.jsonl.bz2", gzip.compress(jsonl({"id": "gz-as-bz2", "text": story(34)})))
    put("plain_named_gz.jsonl.gz", jsonl({"id": "plain-as-gz", "text": story(35)}))
    put("not_gzip.jsonl.gz", bytes(range(256)) * 8)
    nested_zip = io.BytesIO()
    with zipfile.ZipFile(nested_zip, "w") as archive:
        archive.writestr("x.txt", story(36))
    put(
        "members.tar",
        tar_bytes(
            [
                ("../../evil.txt", story(37).encode(), None),
                ("link.txt", None, "/etc/passwd"),
                ("inner.jsonl.gz", gzip.compress(jsonl({"id": "inner", "text": story(38)})), None),
                ("nested.zip", nested_zip.getvalue(), None),
            ]
        ),
    )
    with zipfile.ZipFile(folder / "zip_bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("bomb.txt", "w", force_zip64=True) as member:
            for _ in range(60):
                member.write(b"\x00" * 1_000_000)
        archive.writestr("ok.txt", story(39))
    put("empty_archive.tar", tar_bytes([]))
    os.symlink("symlink_loop.txt", folder / "symlink_loop.txt")
    os.symlink(".", folder / "folder_loop")
    os.mkfifo(folder / "fifo.txt")
    (folder / "looks_like_article.txt").mkdir()
    put("unreadable.txt", story(40)).chmod(0)
    put("same_article_a.txt", story(41))
    put("same_article_b.txt", story(41))


def outcome_key(uri: str, key: str, folder: Path) -> str:
    relative = uri[len(str(folder)) + 1 :] if uri.startswith(f"{folder}/") else uri
    return f"{relative}#{key}"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    folder, output = root / "in", root / "out"
    write_hostile_inputs(folder)
    handler = _Capture()
    logging.getLogger().addHandler(handler)
    previous = logging.getLogger().level
    logging.getLogger().setLevel(logging.INFO)
    try:
        summary = run(
            [
                *("--input", str(folder), "--input", CREDENTIAL_INPUT),
                *("--output", str(output), "--max-decompressed-bytes", str(BUDGET)),
            ]
        )
    finally:
        logging.getLogger().removeHandler(handler)
        logging.getLogger().setLevel(previous)
    articles = parquet_rows(output, "articles")
    letters = parquet_rows(output, "dead_letters")
    outcomes: dict[str, list[str]] = {}
    for row in articles:
        outcomes.setdefault(outcome_key(row["input_uri"], row["record_key"], folder), []).append(ARTICLE)
    for row in letters:
        if row["stage"] == "annotate":
            continue
        outcome = DUPLICATE if row["reason"] == "duplicate" else dead(row["reason"])
        outcomes.setdefault(outcome_key(row["input_uri"], row["record_key"], folder), []).append(outcome)
    return {
        "root": root,
        "folder": folder,
        "output": output,
        "summary": summary,
        "articles": articles,
        "letters": letters,
        "outcomes": outcomes,
        "logs": "\n".join(handler.messages),
    }


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.messages.append(record.getMessage())
        except Exception:  # a log record that cannot be formatted is not what this test is about
            self.messages.append(str(record.msg))


def _matching(case: str, outcomes: dict[str, list[str]]) -> list[str]:
    """The outcomes of a case: `path#key` names one record, a bare `path` all records of that input."""
    if "#" in case:
        return outcomes.get(case, [])
    return [o for key, found in outcomes.items() if key.rsplit("#", 1)[0] == case for o in found]


def test_the_suite_is_big_enough():
    assert len(EXPECTED) >= 30


@pytest.mark.parametrize("case", list(EXPECTED))
def test_case_outcome(hostile_run, case):
    if case == "unreadable.txt" and IS_ROOT:
        pytest.skip("running as root: chmod 000 does not stop root from reading the file")
    found = _matching(case, hostile_run["outcomes"])
    assert found == [EXPECTED[case]], (case, found)


def test_every_record_read_is_an_expected_case(hostile_run):
    cases = set(EXPECTED)
    unexpected = {
        key: found
        for key, found in hostile_run["outcomes"].items()
        if key not in cases and key.rsplit("#", 1)[0] not in cases
    }
    assert not unexpected


def test_the_run_balances(hostile_run):
    summary = hostile_run["summary"]
    records = sum(len(found) for found in hostile_run["outcomes"].values())
    assert summary.balanced, summary.counters
    assert summary.count("records_read") == records
    assert summary.count("rows_articles") == len(hostile_run["articles"])
    assert all(row["stage"] and row["reason"] and row["error"] for row in hostile_run["letters"])


def test_dead_letters_say_why(hostile_run):
    by_key = {outcome_key(r["input_uri"], r["record_key"], hostile_run["folder"]): r for r in hostile_run["letters"]}
    assert "--max-decompressed-bytes" in by_key["bomb.txt.gz#bomb.txt.gz"]["error"]
    assert "--max-article-bytes" in by_key["huge_single_line.txt#huge_single_line.txt"]["error"]
    assert "--max-paragraphs" in by_key["many_paragraphs.txt#many_paragraphs.txt"]["error"]
    assert "symbolic link" in by_key["members.tar#link.txt"]["error"]
    assert "language 'es'" in by_key["spanish.jsonl#line 1"]["error"]
    assert "language 'zh'" in by_key["chinese.txt#chinese.txt"]["error"]
    assert "same_article_a.txt" in by_key["same_article_b.txt#same_article_b.txt"]["error"]
    assert by_key["symlink_loop.txt#" + str(hostile_run["folder"] / "symlink_loop.txt")]["stage"] == "read"


def test_articles_keep_what_they_should(hostile_run):
    by_doc = {row["doc_id"]: row for row in hostile_run["articles"]}
    # Offsets of a surrogate-damaged text still line up (one U+FFFD per lone surrogate), ids are plain strings.
    assert "../../x" in by_doc and "sur\ufffd" in by_doc
    assert by_doc["huge_number.jsonl:line 1"]["published_at"] is None
    assert by_doc["old"]["published_at"] is None
    assert by_doc["future"]["dt"] == "9999-12-31"
    assert by_doc["crlf.txt"]["n_paragraphs"] == 2 and by_doc["cr_only.txt"]["n_paragraphs"] == 2
    assert by_doc["long_token.txt"]["n_paragraphs"] >= 4  # a 10,000-character token is cut at 5,000
    paragraphs = parquet_rows(hostile_run["output"], "paragraphs")
    assert max(len(p["text"]) for p in paragraphs) <= 5_000
    duplicate_text = [p for p in paragraphs if p["article_id"] == by_doc["dk"]["article_id"]]
    assert duplicate_text and "ignored first copy" not in duplicate_text[0]["text"]  # the last "text" wins


def test_nothing_is_written_outside_the_output_folder(hostile_run):
    root, output = hostile_run["root"], hostile_run["output"]
    outside = [p for p in root.rglob("*") if not p.is_relative_to(output) and not p.is_relative_to(root / "in")]
    assert outside == []
    assert not (root.parent / "evil.txt").exists() and not (root.parent / "x").exists()
    layout = re.compile(
        r"(avro|parquet)/(articles|paragraphs|actor_mentions|topics|interactions|dead_letters)/"
        r"dt=(\d{4}-\d{2}-\d{2}|__HIVE_DEFAULT_PARTITION__)/part-\d{5}-of-\d{5}-[0-9a-f]{16}\.(avro|parquet)"
    )
    files = [str(p.relative_to(output)) for p in output.rglob("*") if p.is_file()]
    assert files and all(layout.fullmatch(f) for f in files), [f for f in files if not layout.fullmatch(f)]


def test_credentials_in_an_input_url_are_never_recorded_or_logged(hostile_run):
    letters = [r for r in hostile_run["letters"] if "feeds.example.com" in r["input_uri"]]
    assert len(letters) == 1 and "reader:***@" in letters[0]["input_uri"]
    everything = json.dumps(hostile_run["letters"], default=str) + json.dumps(hostile_run["articles"], default=str)
    assert SECRET not in everything
    assert SECRET not in "\n".join(hostile_run["summary"].lines())
    assert SECRET not in hostile_run["logs"]


# Fast unit tests of the pure functions behind the cases above (no pipeline).


def test_mask_credentials():
    from parley.storage import mask_credentials

    assert mask_credentials("https://u:p@ss@h.example/x?token=abc&n=1") == "https://u:***@h.example/x?token=***&n=1"
    assert mask_credentials("redis://:pw@redis:6379/0") == "redis://:***@redis:6379/0"
    assert mask_credentials("gs://b/x.jsonl?X-Goog-Signature=abc") == "gs://b/x.jsonl?X-Goog-Signature=***"
    assert mask_credentials("/data/user:name@file.txt") == "/data/user:name@file.txt"
    assert mask_credentials("s3://bucket/key.jsonl") == "s3://bucket/key.jsonl"


def test_decompression_budget_is_shared_by_all_members_of_an_archive(tmp_path):
    from parley.limits import Limits
    from parley.reading import read_records

    path = tmp_path / "many.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index in range(10):
            archive.writestr(f"m{index}.txt", story(index) + " " * 300_000)
    out = list(read_records(str(path), Limits(max_decompressed_bytes=1_000_000)))
    # Three members fit in 1 MB; each of the other seven is reported, not read (each one alone would fit).
    assert [getattr(r, "reason", "record") for r in out] == ["record"] * 3 + ["too_large"] * 7


def test_bz2_and_concatenated_gzip_are_read(tmp_path):
    from parley.limits import Limits
    from parley.reading import read_records

    (tmp_path / "a.jsonl.bz2").write_bytes(bz2.compress(jsonl({"id": "1", "text": story(1)})))
    (tmp_path / "b.jsonl.gz").write_bytes(gzip.compress(jsonl({"id": "2", "text": story(2)})) * 2)
    assert len(list(read_records(str(tmp_path / "a.jsonl.bz2"), Limits()))) == 1
    assert len(list(read_records(str(tmp_path / "b.jsonl.gz"), Limits()))) == 2


def test_folder_symlink_loops_are_reported_not_walked(tmp_path):
    from parley.storage import InputProblem, expand_input

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "a.txt").write_text(story(1))
    os.symlink("..", tmp_path / "data" / "up")
    os.symlink(".", tmp_path / "data" / "self")
    found = expand_input(str(tmp_path / "data"))
    loops = [f for f in found if isinstance(f, InputProblem) and f.reason == "symlink_loop"]
    assert {Path(f.path).name for f in loops} == {"self", "data"}  # data/self, and data/up/data
    assert len([f for f in found if not isinstance(f, InputProblem)]) == 1
    globbed = expand_input(str(tmp_path / "**" / "*.txt"))
    assert [Path(f.path).name for f in globbed] == ["a.txt"]


def test_language_of_mixed_text():
    from parley.language import detect_language

    assert detect_language(EXPECTED_TEXTS["english_quoting_french"]) == "en"
    assert detect_language("Russia ... France !!! talks ??? --- Paris") == "en"  # too little to judge
    assert detect_language("中国外交部发言人周一表示，中方愿与俄罗斯加强战略协作，共同维护地区和平稳定。") == "zh"


EXPECTED_TEXTS = {
    "english_quoting_french": (
        "« Nous ne reconnaîtrons jamais l'annexion de ce territoire, et nous continuerons à soutenir nos "
        "partenaires », a déclaré le ministre.\n\n"
        "France's foreign minister made the remark in Paris on Monday after talks with his German counterpart. "
        "He said the two countries would keep working with their partners in the European Union, and that the "
        "ministers would meet again in Berlin next month to prepare a summit on the crisis.\n\n"
        "Officials in Berlin said the German government welcomed the talks and expected progress on trade."
    )
}


def test_an_unreadable_file_is_reported_without_root_privileges(tmp_path, monkeypatch):
    # The chmod-000 case of the run cannot fail for root; here permission is denied whoever runs the test.
    from parley import reading, storage
    from parley.limits import Limits

    path = tmp_path / "locked.txt"
    path.write_text(story(1))
    monkeypatch.setattr(storage.os, "access", lambda *_: False)
    assert [(p.reason, "no permission" in p.error) for p in storage.expand_input(str(path))] == [("unreadable", True)]

    def denied(_path):
        raise PermissionError(13, "Permission denied", str(path))

    monkeypatch.setattr(reading, "open_binary", denied)
    [letter] = reading.read_records(str(path), Limits())
    assert (letter.stage, letter.reason) == ("read", "unreadable")


def test_limits_are_validated_and_paragraphs_never_exceed_spacy_max_length():
    from parley.limits import Limits

    assert Limits().paragraph_chars == 5_000
    assert Limits(max_paragraph_chars=200_000, spacy_max_length=1_000).paragraph_chars == 1_000
    for bad in ({"max_paragraph_chars": 0}, {"max_article_bytes": -1}, {"max_paragraphs": 1.5}):
        with pytest.raises(ValueError, match="must be a positive whole number"):
            Limits(**bad)


def test_split_cuts_to_the_spacy_limit_when_it_is_the_smaller_one():
    from parley.transforms.split import SplitParagraphsFn

    from parley.limits import Limits
    from parley.records import Article, ParagraphEvent

    fn = SplitParagraphsFn(Limits(max_paragraph_chars=200_000, spacy_max_length=1_000))
    fn.gazetteer = None  # no dateline to look up
    text = "Egypt and Jordan held talks in Cairo on Monday. " * 200
    outputs = list(fn.process(Article("a", "doc", text, 0, "file:///x", "x")))
    paragraphs = [o for o in outputs if isinstance(o, ParagraphEvent)]
    assert len(paragraphs) >= 10 and max(len(p.text) for p in paragraphs) <= 1_000


def test_a_bad_fallback_encoding_stops_the_run_before_it_starts():
    from parley.transforms.parse import ParseArticles

    from parley.limits import Limits

    with pytest.raises(ValueError, match="not a known encoding"):
        ParseArticles(Limits(), "no-such-codec")


def test_a_json_array_bigger_than_the_article_limit_is_read_item_by_item(tmp_path):
    from parley.limits import Limits
    from parley.reading import read_records

    path = tmp_path / "export.json"
    path.write_text(json.dumps([{"id": f"a{i}", "text": story(i)} for i in range(300)], indent=2))
    out = list(read_records(str(path), Limits(max_article_bytes=2_000)))
    assert path.stat().st_size > 30 * 2_000
    assert [r.record_key for r in out] == [f"item {i}" for i in range(1, 301)]
    assert json.loads(out[-1].data)["id"] == "a299"
    (tmp_path / "cut.json").write_text(path.read_text()[:5_000])
    cut = list(read_records(str(tmp_path / "cut.json"), Limits(max_article_bytes=2_000)))
    assert [getattr(r, "reason", "record") for r in cut][-1] == "malformed_json"


def test_a_paragraph_spacy_fails_on_is_a_dead_letter_and_its_article_stays_whole():
    import apache_beam as beam
    import spacy
    from parley.transforms.annotate import AnnotationFailure, SpacyModelHandler, _RouteFailuresFn
    from spacy.language import Language

    from parley.records import AnnotatedParagraph, ParagraphEvent

    if not Language.has_factory("parley_test_refuses_boom"):

        @Language.component("parley_test_refuses_boom")
        def refuse(doc):
            if "boom" in doc.text:
                raise ValueError("refused")
            return doc

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("parley_test_refuses_boom")
    texts = [("a", "Talks went on."), ("a", "Then boom."), ("a", "Talks ended."), ("b", "Another story.")]
    batch = [
        ParagraphEvent(f"{article}{i}", article, "doc", i, text, 0, len(text))
        for i, (article, text) in enumerate(texts)
    ]
    parts = list(SpacyModelHandler().run_inference(batch, nlp))

    # One element per article of the batch, its paragraphs in order; the failure is kept in its place.
    assert [(p.article_id, [r.paragraph.paragraph_id for r in p.paragraphs]) for p in parts] == [
        ("a", ["a0", "a1", "a2"]),
        ("b", ["b3"]),
    ]
    assert [type(r) for r in parts[0].paragraphs] == [AnnotatedParagraph, AnnotationFailure, AnnotatedParagraph]
    assert "ValueError: refused" in parts[0].paragraphs[1].error

    routed = list(_RouteFailuresFn().process(parts[0]))
    letters = [o.value for o in routed if isinstance(o, beam.pvalue.TaggedOutput)]
    [whole] = [o for o in routed if not isinstance(o, beam.pvalue.TaggedOutput)]
    assert [(d.record_key, d.stage, d.reason) for d in letters] == [("a1", "annotate", "nlp_error")]
    assert [len(a.words) > 0 for a in whole.paragraphs] == [True, False, True]  # the failed one is empty
    assert list(_RouteFailuresFn().process(parts[1])) == [parts[1]]  # nothing failed: passed on as it is
