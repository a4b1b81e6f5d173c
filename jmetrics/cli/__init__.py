"""The ``jmetrics`` command: ``jmetrics list | eval | bench``.

Each subcommand lives in its own module with ``HELP``, ``add_parser(subparsers)`` and
``run(args) -> int``, and imports what it needs beyond the standard library (JAX, NumPy, the
metrics) inside those functions. ``main`` sets up the handling of Ctrl-C and SIGTERM before it
builds the parser of the subcommand given (the others are only listed), so that from the start of
``main``, imports included, Ctrl-C or SIGTERM end the command within moments with exit status 130
(143), leaving no output or temporary file and printing one line, never a traceback (see
``_output``). Errors a user can fix (bad files, unknown metrics, bad shapes, unwritable outputs)
print one line on stderr and exit 2, without a traceback.
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from collections.abc import Sequence

from jmetrics.cli import _bench, _eval, _list
from jmetrics.cli._output import ending_on_signals

__all__ = ["main"]

_SUBCOMMANDS = {"list": _list, "eval": _eval, "bench": _bench}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jmetrics`` command; returns the exit code."""
    with ending_on_signals():  # first: a Ctrl-C from here on ends the command at once
        return _main(list(sys.argv[1:] if argv is None else argv))


def _parser(argv: list[str]) -> argparse.ArgumentParser:
    """The command's parser, with the options of the subcommand in ``argv`` only."""
    parser = argparse.ArgumentParser(
        prog="jmetrics", description="JAX-accelerated compiled metrics with Keras names."
    )
    sub = parser.add_subparsers(dest="command", metavar="{" + ",".join(_SUBCOMMANDS) + "}")
    given = next((a for a in argv if not a.startswith("-")), None)
    for name, module in _SUBCOMMANDS.items():
        if name == given:
            module.add_parser(sub)
        else:  # listed in the help; its options (and what they import) are not needed
            sub.add_parser(name, help=module.HELP)
    return parser


def _main(argv: list[str]) -> int:
    parser = _parser(argv)
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    try:
        return int(_SUBCOMMANDS[args.command].run(args) or 0)
    except KeyboardInterrupt:  # raised by code, not by a signal (those end the process at once)
        print("jmetrics: interrupted; no output written.", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, EOFError, MemoryError, zipfile.BadZipFile) as err:
        message = " ".join(str(err).split()) or type(err).__name__  # one line, whatever it holds
        print(f"jmetrics {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
