"""The command line: check, prove, list, replay, render, bench, lint, export, simulate, mutate.

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
from .cmd_simulate import add_parser as add_simulate
from .cmd_simulate import cmd_simulate
from .commands import cmd_bench, cmd_check, cmd_lint, cmd_list, cmd_render, cmd_replay
from . import mutate_cmd, routes_cmd
from .errors import EXIT_BAD_INPUT, EXIT_INCOMPLETE, EXIT_UNEXPECTED, BadInput
from .murphi_cli import cmd_export
from .native.run import NativeError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):   # one line, not a usage dump
        raise BadInput(message)


def _positive(kind: type, noun: str):
    def parse(text: str):
        try:
            v = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {noun}") from None
        if v != v or v in (float("inf"), float("-inf")):   # nan or inf would silently mean "no budget"
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if v <= 0:
            raise argparse.ArgumentTypeError(f"{text} must be greater than zero")
        return v
    return parse


_positive_int = _positive(int, "a whole number")
_positive_float = _positive(float, "a number")


def _memory(text: str) -> int:
    from .stop import parse_size
    try:
        return parse_size(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(str(e)) from None


def _run_options(p: argparse.ArgumentParser, provider) -> None:
    p.add_argument("--preset", default=None, help=f"bounds preset (default {provider.DEFAULT_PRESET})")
    p.add_argument("--variant", action="append", default=[], help="variant to check (repeatable; default all)")
    p.add_argument("--property", action="append", default=[], help="property to check (repeatable; default all)")
    p.add_argument("--json", type=Path, help="write the machine-readable results here")
    p.add_argument("--junit", type=Path, help="write JUnit XML here (one testcase per variant x property)")
    p.add_argument("--reports", type=Path, help="write reports here (default reports/ for a full default run)")
    p.add_argument("--no-reports", action="store_true", help="do not write reports")
    p.add_argument("--no-symmetry", action="store_true", help="explore without symmetry reduction")
    p.add_argument("--por", action="store_true",
                   help="partial-order reduction (keeps verdicts; traces may not be the shortest)")
    p.add_argument("--max-states", type=_positive_int, help="stop after this many distinct states (UNKNOWN)")
    p.add_argument("--time-budget", type=_positive_float, help="stop each run after this many seconds (UNKNOWN)")
    p.add_argument("--jobs", type=_positive_int, default=None,
                   help="worker processes (default 2; at most one per run and per core)")
    p.add_argument("--max-memory", type=_memory, default=None,
                   help="memory budget, e.g. 4G, 512M or 50%% (default 80%% of physical memory): UNKNOWN(memory)")
    p.add_argument("--baseline", type=Path, default=None, help="expected violations (default: the model's)")
    p.add_argument("--update-baseline", action="store_true", help="record these results as expected")
    p.add_argument("--add-found", action="store_true",
                   help="add the violations and witnesses found to the baseline, removing nothing "
                        "(for runs that cannot finish)")
    p.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _native_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--workers", type=_positive_int, default=None,
                   help="native engine threads per run (default: the cores, shared among parallel jobs)")
    p.add_argument("--fingerprints", action="store_true",
                   help="native engine: keep 64-bit state hashes, not states (about half the memory; "
                        "a tiny, reported chance of missing a state)")


def parser(provider) -> argparse.ArgumentParser:
    top = _Parser(prog="pmipmc", description=provider.DESCRIPTION)
    top.add_argument("--version", action="version", version=f"pmipmc {provider.VERSION}")
    sub = top.add_subparsers(dest="command", parser_class=_Parser)
    c = sub.add_parser("check", help="check properties over variants (default: everything, writes reports/)")
    _run_options(c, provider)
    c.add_argument("--engine", choices=("auto", "native", "python", "explicit", "symbolic"), default="auto",
                   help="native: generated C (default; the Python engine where no C compiler is found); "
                        "python (or explicit): the Python explorer; symbolic: z3 BMC")
    _native_options(c)
    c.add_argument("--depth", type=int, default=None, help="BMC depth (symbolic engine)")
    c.add_argument("--cluster", default=None, metavar="local:N|ADDRESS",
                   help="explore on Ray: a local cluster of N workers, or a running cluster's address")
    c.add_argument("--checkpoint", type=Path, default=None, help="with --cluster: snapshot every level here")
    c.add_argument("--resume", type=Path, default=None, help="with --cluster: continue the checkpoint in this folder")
    c.add_argument("--coverage", action="store_true",
                   help="count rule firings per run (JSON `coverage`; always on when reports are written)")
    c.add_argument("--prove-undecided", action="store_true",
                   help="where the exploration stops short, prove with z3 the claims it left open and "
                        "that the witnesses it did not reach are unreachable (progress stays open)")
    c.add_argument("--prove-seconds", type=_positive_float, default=None, metavar="S",
                   help="with --prove-undecided: z3's time per open claim (default 30)")
    pr = sub.add_parser("prove",
                        help="prove invariants at every depth with z3 (k-induction, invariant discovery, Spacer)")
    _run_options(pr, provider)
    pr.add_argument("--invariants", action="store_true", help="print the inductive invariant that closes each proof")
    pr.add_argument("--all-sizes", action="store_true",
                    help="prove for every number of MAGs, listeners and senders (the preset gives only the "
                         "environment switches; default variant repaired): HOLDS_FOR_ALL_SIZES")
    pr.add_argument("--schema-candidates", action="store_true",
                    help="with --all-sizes: also offer Houdini clauses generated from the schema (slow: minutes)")
    pr.add_argument("--ground-seconds", type=float, default=20.0, metavar="S",
                    help="with --all-sizes: seconds per quiescent claim for grounding quiescence lazily "
                         "(model-guided instantiation; 0: only at the claim's own elements)")
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
    b.add_argument("--variant", default=provider.DEFAULT_VARIANT)
    b.add_argument("--no-symmetry", action="store_true")
    b.add_argument("--symbolic", action="store_true", help="also benchmark the z3 engine against the explicit one")
    b.add_argument("--cluster", default=None, metavar="local:1,local:2",
                   help="benchmark the Ray engine at each of these cluster specs instead")
    b.add_argument("--levels", action="store_true",
                   help="with --cluster: per-level costs and a projection to 32 machines from them")
    b.add_argument("--max-memory", type=_memory, default=None, help="memory budget (default 80%% of physical memory)")
    b.add_argument("--vs-rumur", action="store_true",
                   help="our engine(s) and Rumur side by side on the exported Murphi model (symmetry off)")
    b.add_argument("--por", action="store_true",
                   help="states and transitions partial-order reduction removes, verdicts compared")
    ex = sub.add_parser("export", help="write the transition system for another checker (Murphi for Rumur)")
    ex.add_argument("--murphi", type=Path, required=True, help="Murphi file to write ('-' for stdout)")
    ex.add_argument("--preset", default=None, help=f"bounds preset (default {provider.DEFAULT_PRESET})")
    ex.add_argument("--variant", default=None, help="variant (default: the spec as written)")
    ex.add_argument("--properties", action="store_true",
                    help="also write invariant and quiescent properties as Murphi invariants")
    b.add_argument("--engine", choices=("both", "python", "native"), default="both",
                   help="which explicit engines to time (default both; native with 1 and --workers threads)")
    b.add_argument("--time-budget", type=_positive_float, help="stop each run after this many seconds")
    _native_options(b)
    ln = sub.add_parser("lint", help="check the spec's message formats against their references and registries")
    ln.add_argument("--json", type=Path, help="write findings as JSON here")
    add_simulate(sub, provider, _positive_int)
    mutate_cmd.add_parser(sub, provider, _positive_int, _positive_float)
    routes_cmd.add_parser(sub, _positive_float)
    return top


def run(provider, argv: list[str]) -> int:
    try:
        code = _run(provider, argv)
        sys.stdout.flush()   # a full disk shows here, not as a traceback at exit
        return code
    except BrokenPipeError:   # `pmipmc list rules | head`: the reader left; not an error of ours
        _silence_stdout()
        return 0
    except OSError as e:      # `> /dev/full`, an unwritable output folder
        _silence_stdout()
        print(f"pmipmc: error: {e.filename or 'standard output'}: {e.strerror or e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:   # outside a run (list, replay, render) or a second Ctrl-C
        print("pmipmc: interrupted", file=sys.stderr)
        return EXIT_INCOMPLETE


def _silence_stdout() -> None:
    import os
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):   # stdout is not a real file (a test's capture)
        pass


def _run(provider, argv: list[str]) -> int:
    try:
        args = parser(provider).parse_args(argv or ["check"])
        if args.command is None:
            raise BadInput("missing command (check, prove, list, replay, render, bench, lint, export, simulate, mutate)")
        if args.command == "prove" and args.all_sizes:
            from .param_cmd import cmd_all_sizes
            return cmd_all_sizes(provider, args)
        handler = {"check": cmd_check, "prove": cmd_check, "list": cmd_list, "replay": cmd_replay,
                   "render": cmd_render, "bench": cmd_bench, "lint": cmd_lint, "export": cmd_export,
                   "simulate": cmd_simulate, "mutate": mutate_cmd.cmd_mutate,
                   "routes": routes_cmd.cmd_routes}[args.command]
        return handler(provider, args)
    except SystemExit as e:   # --version
        return e.code or 0
    except (BadInput, bl.BaselineError, *provider.BAD_INPUT) as e:
        print(f"pmipmc: error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except NativeError as e:   # a value escaped its slot's domain: a model bug, said in one line
        print(f"pmipmc: error: native engine: {e}", file=sys.stderr)
        return EXIT_UNEXPECTED
    except json.JSONDecodeError as e:
        print(f"pmipmc: error: not valid JSON: {e.msg} at line {e.lineno}", file=sys.stderr)
        return EXIT_BAD_INPUT
