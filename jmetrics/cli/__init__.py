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
import contextlib
import os
import sys
import zipfile
from collections.abc import Sequence

from jmetrics.cli import _bench, _eval, _list
from jmetrics.cli._output import ending_on_signals

__all__ = ["main"]

_SUBCOMMANDS = {"list": _list, "eval": _eval, "bench": _bench}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``jmetrics`` command; returns the exit code.

    A reader that stops reading (``jmetrics list | head -1``) ends the command quietly with
    status 0: the rest of the output goes to ``os.devnull``, as the Python documentation advises
    for ``BrokenPipeError`` (no traceback, no ``Exception ignored`` message at exit).
    """
    with ending_on_signals():  # first: a Ctrl-C from here on ends the command at once
        try:
            try:
                return _main(list(sys.argv[1:] if argv is None else argv))
            finally:
                sys.stdout.flush()  # inside: a closed pipe shows here, not at interpreter exit
        except BrokenPipeError:
            _stdout_to_devnull()
            return 0
        except OSError as err:  # an unwritable stdout (a full disk) under --help or --version
            _stdout_to_devnull()
            print(f"jmetrics: error: cannot write the output ({err.strerror or err}).",
                  file=sys.stderr)
            return 2


def _stdout_to_devnull() -> None:
    """Point the standard output's descriptor at ``os.devnull`` (its reader is gone)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # no descriptor: nothing to do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _version() -> str:
    """The package's ``__version__`` (the version of the code running; pyproject.toml's too)."""
    from jmetrics._version import __version__

    return __version__


def _parser(argv: list[str]) -> argparse.ArgumentParser:
    """The command's parser, with the options of the subcommand in ``argv`` only."""
    parser = argparse.ArgumentParser(
        prog="jmetrics", description="JAX-accelerated compiled metrics with Keras names."
    )
    parser.add_argument("--version", action="version", version=f"jmetrics {_version()}")
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
        code = int(_SUBCOMMANDS[args.command].run(args) or 0)
        sys.stdout.flush()  # here, so that an unwritable stdout is one line of error
        return code
    except BrokenPipeError:  # the reader of stdout is gone: main() ends quietly
        raise
    except KeyboardInterrupt:  # raised by code, not by a signal (those end the process at once)
        print("jmetrics: interrupted; no output written.", file=sys.stderr)
        return 130
    except (ValueError, TypeError, OSError, EOFError, MemoryError, zipfile.BadZipFile) as err:
        message = " ".join(str(err).split()) or type(err).__name__  # one line, whatever it holds
        print(f"jmetrics {args.command}: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
