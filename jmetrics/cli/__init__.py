"""The ``jmetrics`` command: ``jmetrics list | eval | bench``.

Each subcommand lives in its own module with ``add_parser(subparsers)`` and ``run(args) -> int``.
Errors a user can fix (bad files, unknown metrics, bad shapes, unwritable outputs) print one line
on stderr and exit 2, without a traceback. Ctrl-C or SIGTERM end the command within moments with
exit status 130 (143), leaving no output or temporary file (see ``_output``).
"""

from __future__ import annotations

import argparse
import importlib
import sys
import zipfile
from collections.abc import Sequence

from jmetrics.cli._output import ending_on_signals

__all__ = ["main"]

_SUBCOMMANDS = ("list", "eval", "bench")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jmetrics`` command; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="jmetrics", description="JAX-accelerated compiled metrics with Keras names."
    )
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(_SUBCOMMANDS) + "}")
    modules = {}
    for name in _SUBCOMMANDS:
        try:
            module = importlib.import_module(f"jmetrics.cli._{name}")
        except ModuleNotFoundError as err:
            if err.name != f"jmetrics.cli._{name}":
                raise
            continue
        module.add_parser(sub)
        modules[name] = module
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        with ending_on_signals():
            return int(modules[args.command].run(args) or 0)
    except KeyboardInterrupt:  # raised by code, not by a signal (those end the process at once)
        print("jmetrics: interrupted; no output written.", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, EOFError, MemoryError, zipfile.BadZipFile) as err:
        message = " ".join(str(err).split()) or type(err).__name__  # one line, whatever it holds
        print(f"jmetrics {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
