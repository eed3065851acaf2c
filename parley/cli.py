"""The `parley` command: `parley batch ...` (and the other commands as they land)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Sequence

COMMANDS = {
    "batch": "Run the batch pipeline over files and archives into Avro + Parquet tables.",
}


def _usage() -> str:
    lines = ["usage: parley COMMAND [options]", "", "commands:"]
    lines += [f"  {name:<8} {text}" for name, text in COMMANDS.items()]
    lines += ["", "Run `parley COMMAND --help` for a command's options."]
    return "\n".join(lines)


def _batch(argv: Sequence[str]) -> int:
    if "--help" in argv or "-h" in argv:
        import argparse

        from parley.pipelines.options import ParleyOptions

        parser = argparse.ArgumentParser(
            prog="parley batch",
            description="Batch pipeline: articles in, Avro + Parquet tables out. Any Beam pipeline option "
            "(--runner, --direct_num_workers, --direct_running_mode, ...) is accepted too.",
        )
        ParleyOptions._add_argparse_args(parser)
        parser.print_help()
        return 0
    from parley.pipelines.batch import UsageError, run

    try:
        summary = run(argv)
    except UsageError as error:
        print(f"parley batch: error: {error}", file=sys.stderr)
        return 2
    print("\n".join(summary.lines()))
    return 0 if summary.balanced else 1


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in ("-h", "--help"):
        print(_usage())
        return 0
    command, rest = argv[0], argv[1:]
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if command == "batch":
        return _batch(rest)
    print(f"parley: unknown command {command!r}\n\n{_usage()}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
