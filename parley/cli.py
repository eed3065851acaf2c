"""The `parley` command: batch, stream, eval, query and report."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Sequence

from parley.runtime import tune_process

COMMANDS = {
    "batch": "Run the batch pipeline over files and archives into Avro + Parquet tables.",
    "stream": "Code articles from a Redis stream, RSS/Atom feeds or a watched folder as they arrive.",
    "eval": "Score the coder on the labelled sets in ../shared/eval (runs the batch pipeline).",
    "query": "Query the Parquet tables with DuckDB (tables, ready-made views, GDELT/POLECAT layouts).",
    "report": "Write a self-contained HTML report (dyads, cooperation vs conflict, network, topics).",
}


def _usage() -> str:
    lines = ["usage: parley COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<8} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Run `parley COMMAND --help` for a command's options."]
    return "\n".join(lines)


def _run_pipeline(command: str, description: str, options_class, run, argv: Sequence[str]) -> int:
    """`parley batch` / `parley stream`: help from the options class, usage errors without a traceback, the
    summary table, and exit 1 when the accounting does not balance."""
    from parley.pipelines.batch import UsageError

    if "--help" in argv or "-h" in argv:
        import argparse

        parser = argparse.ArgumentParser(prog=f"parley {command}", description=description)
        options_class._add_argparse_args(parser)
        parser.print_help()
        return 0
    try:
        summary = run(argv)
    except UsageError as error:
        print(f"parley {command}: error: {error}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 0 if summary.balanced else 1


def _batch(argv: Sequence[str]) -> int:
    from parley.pipelines.batch import run
    from parley.pipelines.options import ParleyOptions

    description = (
        "Batch pipeline: articles in, Avro + Parquet tables out. Any Beam pipeline option "
        "(--runner, --direct_num_workers, --direct_running_mode, ...) is accepted too."
    )
    return _run_pipeline("batch", description, ParleyOptions, run, argv)


def _stream(argv: Sequence[str]) -> int:
    from parley.pipelines.stream import StreamOptions, run

    if "--quiet" not in argv:
        logging.getLogger("parley.stream").setLevel(logging.INFO)
    description = "Streaming: a queue, feeds or a folder in, the six tables out, micro-batch by micro-batch."
    return _run_pipeline("stream", description, StreamOptions, run, argv)


def _eval(argv: Sequence[str]) -> int:
    import argparse
    import json
    from pathlib import Path

    from parley.evaluation.harness import MissingEvalData, evaluate, format_report

    parser = argparse.ArgumentParser(prog="parley eval", description=COMMANDS["eval"])
    parser.add_argument("--shared", default=str(Path.cwd().parent / "shared"), help="The shared folder (../shared).")
    parser.add_argument("--json", help="Also write the report as JSON to this file.")
    parser.add_argument("--workdir", help="Keep the inputs and tables here (default: a temporary folder).")
    parser.add_argument(
        "--fp-articles", type=int, default=300, help="Articles per corpus for the false-positive control (0: skip)."
    )
    args, beam_args = parser.parse_known_args(argv)
    try:
        report = evaluate(Path(args.shared), Path(args.workdir) if args.workdir else None, args.fp_articles, beam_args)
    except MissingEvalData as error:
        print(f"parley eval: {error}", file=sys.stderr)
        return 2
    print(format_report(report))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(report, indent=2), encoding="utf-8")
        print(f"\nreport written to {args.json}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0
    command, rest = argv[0], argv[1:]
    # Before Beam and spaCy are imported: their imports alone ran hundreds of collections with the defaults.
    tune_process()
    # Beam logs environment notices (no Prism, no GCP client, no resource module) as warnings on the root
    # logger; PARLEY_LOG_LEVEL=INFO shows them and more.
    level = os.environ.get("PARLEY_LOG_LEVEL", "ERROR").upper()
    logging.basicConfig(level=getattr(logging, level, logging.ERROR), format="%(levelname)s %(name)s: %(message)s")
    if command == "batch":
        return _batch(rest)
    if command == "stream":
        return _stream(rest)
    if command == "eval":
        return _eval(rest)
    if command == "query":
        from parley.query import main as query_main

        return query_main(rest)
    if command == "report":
        from parley.report import main as report_main

        return report_main(rest)
    print(f"parley: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
