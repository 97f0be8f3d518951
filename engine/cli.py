"""The command line: check, prove, list, replay, render, bench, lint, mutate.

The engine knows nothing of PMIPv6: `run(provider, argv)` is handed a provider module that
builds systems from preset and variant names and describes them (see properties/provider.py).

Exit codes: 0 every verdict as expected, 1 an unexpected verdict, 2 bad input, 3 incomplete.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from . import baseline as bl
from .commands import cmd_bench, cmd_check, cmd_lint, cmd_list, cmd_render, cmd_replay
from . import mutate_cmd
from .errors import EXIT_BAD_INPUT, BadInput


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):   # one line, not a usage dump
        raise BadInput(message)


def _positive(kind: type, noun: str):
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if v <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be greater than zero")
        return v
    return parse


_positive_int = _positive(int, "a whole number")
_positive_float = _positive(float, "a number")


def _run_options(p: argparse.ArgumentParser, provider) -> None:
    p.add_argument("--preset", default=None, help=f"bounds preset (default {provider.DEFAULT_PRESET})")
    p.add_argument("--variant", action="append", default=[], help="variant to check (repeatable; default all)")
    p.add_argument("--property", action="append", default=[], help="property to check (repeatable; default all)")
    p.add_argument("--json", type=Path, help="write the machine-readable results here")
    p.add_argument("--junit", type=Path, help="write JUnit XML here (one testcase per variant x property)")
    p.add_argument("--reports", type=Path, help="write reports here (default reports/ for a full default run)")
    p.add_argument("--no-reports", action="store_true", help="do not write reports")
    p.add_argument("--no-symmetry", action="store_true", help="explore without symmetry reduction")
    p.add_argument("--max-states", type=_positive_int, help="stop after this many distinct states (UNKNOWN)")
    p.add_argument("--time-budget", type=_positive_float, help="stop each run after this many seconds (UNKNOWN)")
    p.add_argument("--jobs", type=_positive_int, default=2, help="worker processes (default 2)")
    p.add_argument("--baseline", type=Path, default=None, help="expected violations (default: the model's)")
    p.add_argument("--update-baseline", action="store_true", help="record these results as expected")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def parser(provider) -> argparse.ArgumentParser:
    top = _Parser(prog="pmipmc", description="Model checker for draft-liu-multimob-pmipv6-multicast-ro-01")
    sub = top.add_subparsers(dest="command", parser_class=_Parser)
    c = sub.add_parser("check", help="check properties over variants (default: everything, writes reports/)")
    _run_options(c, provider)
    c.add_argument("--engine", choices=("explicit", "symbolic"), default="explicit")
    c.add_argument("--depth", type=int, default=None, help="BMC depth (symbolic engine)")
    pr = sub.add_parser("prove", help="prove invariants at every depth with z3 (k-induction, Spacer)")
    _run_options(pr, provider)
    ls = sub.add_parser("list", help="list rules, properties, variants or presets with citations")
    ls.add_argument("what", choices=("rules", "properties", "variants", "presets", "axes"))
    ls.add_argument("--json", action="store_true", help="print JSON")
    rp = sub.add_parser("replay", help="re-execute a saved trace and confirm its verdict")
    rp.add_argument("trace", type=Path)
    rd = sub.add_parser("render", help="draw a saved trace: ASCII and SVG sequence charts, topology")
    rd.add_argument("trace", type=Path)
    rd.add_argument("--out", type=Path, default=None, help="output folder (default: beside the trace)")
    rd.add_argument("--pcap", type=Path, default=None, help="also write the signalling as a pcap file")
    b = sub.add_parser("bench", help="print states, transitions, depth, seconds, states/s, peak memory")
    b.add_argument("--preset", action="append", default=[], help="preset (repeatable; default ci)")
    b.add_argument("--variant", default="draft")
    b.add_argument("--no-symmetry", action="store_true")
    b.add_argument("--symbolic", action="store_true", help="also benchmark the z3 engine against the explicit one")
    ln = sub.add_parser("lint", help="check the draft's message formats against RFCs and IANA registries")
    ln.add_argument("--json", type=Path, help="write findings as JSON here")
    mutate_cmd.add_parser(sub, provider, _positive_int, _positive_float)
    return top


def run(provider, argv: list[str]) -> int:
    try:
        return _run(provider, argv)
    except BrokenPipeError:   # `pmipmc list rules | head`: the reader left; not an error of ours
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _run(provider, argv: list[str]) -> int:
    try:
        args = parser(provider).parse_args(argv or ["check"])
        if args.command is None:
            raise BadInput("missing command (check, prove, list, replay, render, bench, lint)")
        handler = {"check": cmd_check, "prove": cmd_check, "list": cmd_list, "replay": cmd_replay,
                   "render": cmd_render, "bench": cmd_bench, "lint": cmd_lint,
                   "mutate": mutate_cmd.cmd_mutate}[args.command]
        return handler(provider, args)
    except (BadInput, bl.BaselineError, *provider.BAD_INPUT) as e:
        print(f"pmipmc: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except json.JSONDecodeError as e:
        print(f"pmipmc: error: not valid JSON: {e.msg} at line {e.lineno}", file=sys.stderr)
        return EXIT_BAD_INPUT
