"""`parley report`: one self-contained HTML page about a Parley output folder.

    parley report OUT --out report.html

The page holds the busiest dyads, cooperation vs conflict over time for the busiest country pairs, a network of
countries weighted by their interactions, topic shares and the most confident interactions with their sentences.
Charts are drawn with matplotlib as inline SVG (text as text, no fonts or scripts to fetch), so the page needs no
network when it is viewed; it has no JavaScript at all. Every string from the tables is HTML-escaped, and only
http(s) URLs become links. The numbers come from the views of `parley query` (parley/query.py).
"""

from __future__ import annotations

import argparse
import html
import io
import math
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from parley.query import QUAD_LABELS, QueryUsageError, connect, tables_folder

QUAD_COLOURS = {1: "#7fbf7b", 2: "#1b7837", 3: "#f4a582", 4: "#b2182b"}
COOPERATION, CONFLICT = "#1b7837", "#b2182b"


# ------------------------------------------------------------------------------------------ data


@dataclass
class ReportData:
    folder: Path
    overview: dict
    names: dict[str, str]
    dyads: list[tuple]
    pairs: list[tuple[str, str, int]]
    series: dict[tuple[str, str], tuple[str, list[tuple]]]  # (bin, rows of bin start, cooperation, conflict)
    edges: list[tuple[str, str, int, int, int]]
    topics: list[tuple[str, int]]
    topic_total: int
    confident: list[dict]


def _bin(span_days: int) -> str:
    """The time bin (a DuckDB date_trunc part) for a pair's span of days."""
    if span_days <= 92:
        return "day"
    if span_days <= 3 * 366:
        return "week"
    return "month"


def gather(con: duckdb.DuckDBPyConnection, folder: Path, top: int = 15, pairs: int = 4, rows: int = 25) -> ReportData:
    one = lambda sql: con.execute(sql).fetchone()  # noqa: E731
    articles, first_dt, last_dt = one("SELECT count(*), min(dt), max(dt) FROM articles")
    interactions, first_day, last_day = one(
        "SELECT count(*), min(event_day), max(event_day) FROM interactions_enriched"
    )
    countries = one(
        "SELECT count(DISTINCT c) FROM (SELECT source_country AS c FROM interactions UNION ALL "
        "SELECT target_country FROM interactions) WHERE c IS NOT NULL"
    )[0]
    dead = one("SELECT count(*) FROM dead_letters")[0]
    overview = {
        "articles": articles,
        "interactions": interactions,
        "countries": countries,
        "dead_letters": dead,
        "published": (first_dt, last_dt),
        "events": (first_day, last_day),
    }
    names = dict(con.execute("SELECT iso3, name FROM countries").fetchall())
    dyads = con.execute(
        "SELECT source_country, target_country, interactions, verbal_cooperation, material_cooperation, "
        "verbal_conflict, material_conflict, mean_goldstein, articles FROM dyads "
        f"ORDER BY interactions DESC, source_country, target_country LIMIT {int(top)}"
    ).fetchall()
    top_pairs = con.execute(
        "SELECT country_a, country_b, sum(events)::BIGINT AS n FROM daily_index WHERE country_a <> country_b "
        f"GROUP BY ALL ORDER BY n DESC, country_a, country_b LIMIT {int(pairs)}"
    ).fetchall()
    series: dict[tuple[str, str], tuple[str, list[tuple]]] = {}
    for a, b, _n in top_pairs:
        first, last = con.execute(
            "SELECT min(day), max(day) FROM daily_index WHERE country_a = ? AND country_b = ?", [a, b]
        ).fetchone()
        part = _bin((last - first).days if first and last else 0)  # each pair is binned by its own span
        series[(a, b)] = (
            part,
            con.execute(
                f"SELECT date_trunc('{part}', day)::DATE AS bin, sum(cooperation)::BIGINT, sum(conflict)::BIGINT "
                "FROM daily_index WHERE country_a = ? AND country_b = ? AND day IS NOT NULL GROUP BY bin ORDER BY bin",
                [a, b],
            ).fetchall(),
        )
    edges = con.execute(
        "SELECT country_a, country_b, sum(events)::BIGINT, sum(cooperation)::BIGINT, sum(conflict)::BIGINT "
        "FROM daily_index WHERE country_a <> country_b GROUP BY ALL ORDER BY 3 DESC, 1, 2"
    ).fetchall()
    topics = con.execute(
        "SELECT topic, count(*) AS n FROM (SELECT unnest(topics) AS topic FROM interactions) "
        "GROUP BY topic ORDER BY n DESC, topic"
    ).fetchall()
    confident = con.execute(
        "SELECT event_day, source_code, source_name, source_text, target_code, target_name, target_text, cameo_code, "
        "cameo_label, quad_class, goldstein, plover_type, confidence, sentence_text, trigger, article_title, "
        "article_url, doc_id, interaction_id FROM interactions_enriched "
        f"ORDER BY confidence DESC, event_day DESC NULLS LAST, interaction_id LIMIT {int(rows)}"
    )
    columns = [d[0] for d in confident.description]
    return ReportData(
        folder=folder,
        overview=overview,
        names=names,
        dyads=dyads,
        pairs=top_pairs,
        series=series,
        edges=edges,
        topics=topics,
        topic_total=interactions,
        confident=[dict(zip(columns, row, strict=True)) for row in confident.fetchall()],
    )


# ------------------------------------------------------------------------------------------ charts


def _svg(figure, name: str) -> str:
    """A matplotlib figure as inline SVG markup (no XML prolog, deterministic ids, scalable)."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": f"parley-{name}"}):
        figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    markup = buffer.getvalue()
    markup = markup[markup.index("<svg") :]
    # Scale with the page: keep the viewBox, drop the fixed size.
    markup = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", markup, count=1)
    return markup.replace("<svg", f'<svg class="chart" id="chart-{name}" role="img"', 1)


def _figure(width: float, height: float):
    import matplotlib

    matplotlib.rcParams["text.parse_math"] = False  # "$" in a label is a dollar sign, not TeX
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    figure.patch.set_alpha(0)
    return figure


def _style(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=9)


def dyads_chart(data: ReportData) -> str:
    rows = list(reversed(data.dyads))
    figure = _figure(8, max(2.2, 0.32 * len(rows) + 1.0))
    axes = figure.add_subplot()
    labels = [f"{source} → {target}" for source, target, *_ in rows]
    left = [0] * len(rows)
    for quad in (1, 2, 3, 4):
        values = [row[2 + quad] for row in rows]
        axes.barh(labels, values, left=left, color=QUAD_COLOURS[quad], label=QUAD_LABELS[quad].capitalize())
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_xlabel("interactions")
    axes.legend(fontsize=8, frameon=False, loc="lower right")
    _style(axes)
    return _svg(figure, "dyads")


def timeline_chart(data: ReportData) -> str:
    pairs = [pair for pair, (_bin, rows) in data.series.items() if rows]
    figure = _figure(8, 1.9 * len(pairs) + 0.6)
    for index, (a, b) in enumerate(pairs, start=1):
        axes = figure.add_subplot(len(pairs), 1, index)
        part, rows = data.series[(a, b)]
        days = [row[0] for row in rows]
        # Each bar covers its bin, from the bin's first day.
        width = {"day": 0.85, "week": 6.0, "month": 27.0}[part]
        bars = {"width": width, "align": "edge"}
        axes.bar(days, [row[1] for row in rows], color=COOPERATION, label="cooperation", **bars)
        axes.bar(days, [-row[2] for row in rows], color=CONFLICT, label="conflict", **bars)
        axes.axhline(0, color="#555555", linewidth=0.6)
        pad = timedelta(days={"day": 2, "week": 10, "month": 40}[part])
        axes.set_xlim(min(days) - pad, max(days) + timedelta(days=width) + pad)
        top = max([row[1] for row in rows] + [row[2] for row in rows] + [1])
        axes.set_ylim(-top * 1.15, top * 1.15)
        axes.set_title(f"{_name(data, a)} – {_name(data, b)}", fontsize=10, loc="left")
        axes.set_ylabel(f"events / {part}", fontsize=8)
        axes.yaxis.set_major_formatter(_absolute_formatter())
        if index == 1:
            # Above the plot, on the line of the (left-aligned) title: never over the bars.
            axes.legend(fontsize=8, frameon=False, loc="lower right", bbox_to_anchor=(1.0, 1.0), ncols=2)
        _style(axes)
        _date_axis(axes)
    figure.tight_layout()
    return _svg(figure, "timeline")


def _absolute_formatter():
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{abs(value):g}")


def _date_axis(axes) -> None:
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=3, maxticks=7)
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def spring_layout(
    count: int, edges: list[tuple[int, int, float]], iterations: int = 300, gravity: float = 0.5
) -> list[tuple[float, float]]:
    """Fruchterman-Reingold positions in [0, 1]², deterministic (starts from a circle)."""
    import numpy as np

    def norm(vectors):
        return np.linalg.norm(vectors, axis=-1)

    if count == 1:
        return [(0.5, 0.5)]
    angles = np.linspace(0, 2 * np.pi, count, endpoint=False)
    pos = np.column_stack([np.cos(angles), np.sin(angles)]) * 0.5
    weights = np.zeros((count, count))
    top = max((w for _, _, w in edges), default=1.0)
    for i, j, w in edges:
        weights[i, j] = weights[j, i] = 0.3 + 0.7 * math.sqrt(w / top)
    k = 1.0 / math.sqrt(count)
    temperature = 0.1
    for _ in range(iterations):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(norm(delta), 1e-3)
        force = k * k / distance - weights * distance * distance / k
        np.fill_diagonal(force, 0.0)
        # Gravity, growing with the distance from the centre, keeps small islands of the graph in view.
        move = (delta / distance[..., None] * force[..., None]).sum(axis=1) - gravity * pos * norm(pos)[:, None] / k
        length = np.maximum(norm(move), 1e-9)
        pos += move / length[:, None] * np.minimum(length, temperature)[:, None]
        temperature *= 0.985
    pos -= pos.min(axis=0)
    pos /= np.maximum(pos.max(axis=0), 1e-9)
    return [(float(x), float(y)) for x, y in pos]


def network_chart(data: ReportData, most: int = 40) -> str:
    from matplotlib.collections import LineCollection

    strength: dict[str, int] = {}
    for a, b, n, _coop, _conf in data.edges:
        strength[a] = strength.get(a, 0) + n
        strength[b] = strength.get(b, 0) + n
    nodes = sorted(strength, key=lambda c: (-strength[c], c))[:most]
    index = {code: i for i, code in enumerate(nodes)}
    edges = [e for e in data.edges if e[0] in index and e[1] in index]
    pos = spring_layout(len(nodes), [(index[a], index[b], float(n)) for a, b, n, _, _ in edges])
    figure = _figure(8, 6)
    axes = figure.add_subplot()
    top = max((e[2] for e in edges), default=1)
    segments = [[pos[index[a]], pos[index[b]]] for a, b, *_ in edges]
    colours = [COOPERATION if coop >= conf else CONFLICT for _, _, _, coop, conf in edges]
    widths = [0.6 + 5.4 * math.sqrt(n / top) for _, _, n, _, _ in edges]
    axes.add_collection(LineCollection(segments, colors=colours, linewidths=widths, alpha=0.55, zorder=1))
    biggest = max(strength[c] for c in nodes)
    sizes = [330 + 1300 * math.sqrt(strength[c] / biggest) for c in nodes]
    axes.scatter([p[0] for p in pos], [p[1] for p in pos], s=sizes, color="#4a6fa5", edgecolor="white", zorder=2)
    for code, (x, y) in zip(nodes, pos, strict=True):
        axes.annotate(code, (x, y), ha="center", va="center", fontsize=8, color="white", weight="bold", zorder=3)
    axes.set_xlim(-0.08, 1.08)
    axes.set_ylim(-0.08, 1.08)
    axes.set_axis_off()
    return _svg(figure, "network")


def topics_chart(data: ReportData, most: int = 15) -> str:
    rows = list(reversed(data.topics[:most]))
    figure = _figure(8, max(2.0, 0.3 * len(rows) + 0.9))
    axes = figure.add_subplot()
    shares = [100.0 * n / data.topic_total for _, n in rows]
    bars = axes.barh([topic for topic, _ in rows], shares, color="#4a6fa5")
    axes.bar_label(bars, labels=[f"{s:.0f}%" for s in shares], fontsize=8, padding=3)
    axes.set_xlabel("% of interactions whose paragraph carries the topic")
    axes.set_xlim(0, max(shares) * 1.15)
    _style(axes)
    return _svg(figure, "topics")


# ------------------------------------------------------------------------------------------ page


def _name(data: ReportData, code: str | None) -> str:
    return data.names.get(code, code) if code else ""


def _e(value) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _actor(code, name, text) -> str:
    label = name or text or ""
    return f'{_e(label)} <span class="code">{_e(code)}</span>' if code else '<span class="none">—</span>'


def _sentence(sentence: str, trigger: str | None) -> str:
    """The sentence, escaped, with the first occurrence of the trigger words in <mark>."""
    if trigger:
        at = sentence.lower().find(trigger.lower())
        if at >= 0:
            end = at + len(trigger)
            return f"{_e(sentence[:at])}<mark>{_e(sentence[at:end])}</mark>{_e(sentence[end:])}"
    return _e(sentence)


def _link(url: str | None, label: str) -> str:
    if url and re.match(r"^https?://", url, flags=re.IGNORECASE):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(label)}</a>'
    return _e(label)


def _section(anchor: str, title: str, intro: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{_e(title)}</h2>\n<p class="intro">{intro}</p>\n{body}\n</section>'


def _empty(text: str) -> str:
    return f'<p class="empty">{_e(text)}</p>'


def _figure_html(svg: str, caption: str) -> str:
    return f"<figure>\n{svg}\n<figcaption>{caption}</figcaption>\n</figure>"


def render(data: ReportData, generated: datetime | None = None) -> str:
    generated = generated or datetime.now(UTC)
    o = data.overview
    sections = []

    if data.dyads:
        rows = "\n".join(
            f"<tr><td>{_e(s)} → {_e(t)}</td><td>{_e(_name(data, s))} → {_e(_name(data, t))}</td>"
            f'<td class="n">{n:,}</td><td class="n">{q1:,}</td><td class="n">{q2:,}</td><td class="n">{q3:,}</td>'
            f'<td class="n">{q4:,}</td><td class="n">{g:+.2f}</td><td class="n">{arts:,}</td></tr>'
            for s, t, n, q1, q2, q3, q4, g, arts in data.dyads
        )
        table = (
            '<table class="numbers"><thead><tr><th>dyad</th><th>countries</th><th>interactions</th>'
            "<th>verbal coop.</th><th>material coop.</th><th>verbal conflict</th><th>material conflict</th>"
            f"<th>mean Goldstein</th><th>articles</th></tr></thead><tbody>\n{rows}\n</tbody></table>"
        )
        body = _figure_html(dyads_chart(data), "Interactions by QuadClass, source → target country.") + table
    else:
        body = _empty("No interaction has both a source and a target country.")
    sections.append(
        _section("dyads", "Busiest dyads", "Directed pairs of countries (the <code>dyads</code> view).", body)
    )

    if any(rows for _bin, rows in data.series.values()):
        caption = (
            "Events per day, week or month (by each pair's time span): cooperation (QuadClass 1–2) up, conflict "
            "(3–4) down. A symmetric event (coded both ways) counts once."
        )
        body = _figure_html(timeline_chart(data), _e(caption))
    else:
        body = _empty("No interaction between two different countries.")
    sections.append(
        _section(
            "timeline",
            "Cooperation vs conflict over time",
            "The busiest country pairs (the <code>daily_index</code> view), binned by event date.",
            body,
        )
    )

    if data.edges:
        body = _figure_html(
            network_chart(data),
            "Countries linked by their interactions: node size and line width grow with the number of events; "
            "green lines are mostly cooperative, red mostly conflictual.",
        )
    else:
        body = _empty("No interaction between two different countries.")
    sections.append(_section("network", "Network of countries", "Up to 40 countries, by their events.", body))

    if data.topics:
        body = _figure_html(topics_chart(data), _e(f"Shares of the {data.topic_total:,} interactions."))
    else:
        body = _empty("No interaction carries a topic.")
    sections.append(
        _section("topics", "Topic shares", "Topics of the paragraphs the interactions were coded in.", body)
    )

    if data.confident:
        rows = []
        for r in data.confident:
            event = f'<span class="code">{_e(r["cameo_code"])}</span> {_e(r["cameo_label"])}'
            if r["plover_type"]:
                event += f' <span class="plover">{_e(r["plover_type"])}</span>'
            rows.append(
                f'<tr class="q{_e(r["quad_class"])}"><td>{_e(r["event_day"] or "—")}</td>'
                f"<td>{_actor(r['source_code'], r['source_name'], r['source_text'])}</td><td>{event}</td>"
                f"<td>{_actor(r['target_code'], r['target_name'], r['target_text'])}</td>"
                f'<td class="n">{r["confidence"]:.2f}</td>'
                f'<td class="sentence">{_sentence(r["sentence_text"] or "", r["trigger"])}</td>'
                f"<td>{_link(r['article_url'], r['article_title'] or r['doc_id'] or '')}</td></tr>"
            )
        body = (
            '<table class="events"><thead><tr><th>date</th><th>source</th><th>event</th><th>target</th>'
            "<th>confidence</th><th>sentence (trigger marked)</th><th>article</th></tr></thead><tbody>\n"
            + "\n".join(rows)
            + "\n</tbody></table>"
        )
    else:
        body = _empty("No interactions.")
    sections.append(_section("confident", "Most confident interactions", "Ordered by the coder's confidence.", body))

    published, events = o["published"], o["events"]
    facts = [
        ("articles", f"{o['articles']:,}"),
        ("interactions", f"{o['interactions']:,}"),
        ("countries", f"{o['countries']:,}"),
        ("dead letters", f"{o['dead_letters']:,}"),
        ("published", f"{published[0] or '—'} to {published[1] or '—'}"),
        ("event dates", f"{events[0] or '—'} to {events[1] or '—'}"),
    ]
    facts_html = "".join(f"<div><dt>{_e(k)}</dt><dd>{_e(v)}</dd></div>" for k, v in facts)
    nav = "".join(
        f'<a href="#{a}">{_e(t)}</a>'
        for a, t in [
            ("dyads", "Dyads"),
            ("timeline", "Over time"),
            ("network", "Network"),
            ("topics", "Topics"),
            ("confident", "Interactions"),
        ]
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>Parley report: {_e(data.folder)}</title>
<style>{CSS}</style>
</head>
<body>
<header>
<h1>Parley report</h1>
<p class="meta">Tables under <code>{_e(data.folder)}</code>, generated {_e(f"{generated:%Y-%m-%d %H:%M} UTC")}.</p>
<dl class="facts">{facts_html}</dl>
<nav>{nav}</nav>
</header>
<main>
{chr(10).join(sections)}
</main>
</body>
</html>
"""


CSS = """
:root { color-scheme: light; --ink: #1f2933; --muted: #5f6b7a; --line: #d9dee5; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink);
       margin: 0 auto; max-width: 1100px; padding: 1.5rem; }
h1 { margin: 0 0 .25rem; } h2 { margin-top: 2.5rem; border-bottom: 1px solid var(--line); padding-bottom: .3rem; }
.meta, .intro, figcaption, .empty { color: var(--muted); }
code, .code { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: .9em; }
.code { color: var(--muted); }
.facts { display: flex; flex-wrap: wrap; gap: .5rem 2rem; margin: 1rem 0; }
.facts dt { font-size: .8rem; color: var(--muted); text-transform: uppercase; }
.facts dd { margin: 0; font-weight: 600; }
nav a { margin-right: 1rem; }
figure { margin: 1rem 0; } svg.chart { max-width: 100%; height: auto; display: block; }
table { border-collapse: collapse; width: 100%; margin: 1rem 0; font-size: .9rem; }
th, td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; }
th { font-weight: 600; background: #f5f7fa; } td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.sentence { min-width: 22rem; } td:first-child { white-space: nowrap; } mark { background: #fff3b0; padding: 0 .1em; }
.plover { font-size: .75rem; color: var(--muted); border: 1px solid var(--line); border-radius: 3px; padding: 0 .25em; }
tr.q1 td:first-child, tr.q2 td:first-child { border-left: 4px solid #1b7837; }
tr.q3 td:first-child, tr.q4 td:first-child { border-left: 4px solid #b2182b; }
.none { color: var(--muted); }
"""


def build_report(directory: str | Path, out: str | Path) -> tuple[Path, ReportData]:
    folder = tables_folder(directory)
    con = connect(folder)
    data = gather(con, folder)
    page = render(data)
    path = Path(out).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path, data


def main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="parley report", description="Write a self-contained HTML report.")
    parser.add_argument("dir", help="The --output folder of `parley batch` (or its parquet/ folder).")
    parser.add_argument("--out", default="report.html", help="The HTML file to write (default: report.html).")
    args = parser.parse_args(list(argv))
    started = time.monotonic()
    try:
        path, data = build_report(args.dir, args.out)
    except QueryUsageError as error:
        print(f"parley report: error: {error}", file=sys.stderr)
        return 2
    except duckdb.Error as error:
        print(f"parley report: error: {error}", file=sys.stderr)
        return 1
    size = path.stat().st_size
    print(
        f"Report on {data.overview['interactions']:,} interactions written to {path} "
        f"({size / 1024:,.0f} KiB, {time.monotonic() - started:.1f} s)"
    )
    return 0
