"""Command line: ``python -m matching solve INSTANCE.json [-o RESULT.json]``."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import BinaryIO

from .io import encode_result, read_instance
from .solve import solve
from .types import InstanceError

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None, *, end_process: bool = False) -> int:
    """Run the command; returns the exit status. ``end_process`` (``python -m matching``): once the
    result is written and flushed, end the process at once rather than free the cycle's millions
    of objects one by one (a quarter of a second at 150,000 applicants)."""
    parser = argparse.ArgumentParser(prog="python -m matching", description="Choice-based lettings allocation engine.")
    commands = parser.add_subparsers(dest="command", required=True)
    solve_command = commands.add_parser("solve", help="rank and allocate one cycle from a JSON instance")
    solve_command.add_argument("instance", help="the cycle as JSON (see matching/README.md)")
    solve_command.add_argument("-o", "--output", help="write the result here instead of standard output")
    solve_command.add_argument("--time-limit", type=float, default=60.0, help="seconds for CP-SAT (default 60)")
    solve_command.add_argument("--workers", type=int, default=1, help="CP-SAT workers (default 1)")
    args = parser.parse_args(argv)

    try:
        with open(args.instance, "rb") as file:
            raw = file.read()
    except OSError as error:
        return _fail(f"cannot read {args.instance}: {error.strerror}")
    try:
        instance = read_instance(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        return _fail(f"{args.instance} is not valid JSON: {error}")
    except InstanceError as error:
        return _fail(f"{args.instance}: {error}")
    del raw
    try:
        result = solve(instance, time_limit=args.time_limit, workers=args.workers)
    except InstanceError as error:
        return _fail(f"{args.instance}: {error}")

    text = encode_result(result)
    if args.output:
        with open(args.output, "wb") as file:
            _write(file, text)
    else:
        _write(sys.stdout.buffer, text)
        sys.stdout.flush()
    shortfall = sum(s.shortfall for s in result.quota_shortfalls)
    print(
        f"{result.status}: {len(result.allocation)} of {len(instance.adverts)} homes let, "
        f"{len(result.designated)} designated, quota shortfall {shortfall}",
        file=sys.stderr,
    )
    if end_process:
        sys.stderr.flush()
        os._exit(0)
    return 0


def _write(out: BinaryIO, text: bytes) -> None:
    out.write(text)  # not text + newline: that would copy the whole result (100 MB and more)
    out.write(b"\n")


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT
