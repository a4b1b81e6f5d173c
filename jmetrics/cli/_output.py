"""How a command ends: its output files (checked first, written atomically) and its interruptions.

Output files are written to temporary names next to their targets and renamed only when every one
of them was written, so a failed or interrupted run leaves no output and no temporary file. A
target that is a symbolic link or not a regular file (``/dev/stdout``, a pipe, a device) is written
in place, through the link: renaming over it would replace the link or the device with a file.

Ctrl-C (SIGINT) and SIGTERM end the command at once: the handler removes the temporary files, says
so in one line and leaves with ``os._exit(128 + signal)``. It does not raise ``KeyboardInterrupt``:
raised between two arbitrary bytecodes, that exception can land in a garbage-collector callback
(which ignores it, and the run goes on to the end) or unwind while a device computation is still
running, and a normal interpreter exit then tears the JAX runtime down under it (a segmentation
fault). ``os._exit`` runs no finalizers, so neither can happen; nothing is left to flush but
stderr, which the handler writes with ``os.write``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from types import FrameType
from typing import Any

__all__ = ["check_output", "ending_on_signals", "write_files"]

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class _State:
    temps: list[str] = []  # noqa: RUF012 - temporary files, registered before they are created
    written: list[str] = []  # noqa: RUF012 - outputs already in place
    committing = False  # renaming: a signal waits for the renames (microseconds) to finish
    deferred: int | None = None


def _in_place(path: str) -> bool:
    """A target written in place: a symbolic link, or not a regular file (device, pipe, socket)."""
    return os.path.islink(path) or (os.path.exists(path) and not os.path.isfile(path))


def check_output(path: str, flag: str) -> None:
    """Refuse an output path that cannot be written, before any work is done."""
    if os.path.isdir(path):
        raise ValueError(f"{flag} {path} is a directory.")
    if _in_place(path):
        if os.path.exists(path) and not os.access(path, os.W_OK):
            raise PermissionError(f"{flag} {path}: cannot write (permission denied).")
        return
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"{flag} {path}: the directory {directory} does not exist.")
    if not os.access(directory, os.W_OK):
        raise PermissionError(f"{flag} {path}: the directory {directory} is not writable.")


def write_files(outputs: Sequence[tuple[str, str, Callable[[str], None]]]) -> None:
    """Write every ``(flag, target, writer)``: ``writer(path)`` writes the content to ``path``.

    Links, devices and pipes are written in place first; regular files go to temporary names next to
    their targets, renamed only when all of them were written (else removed). Any OSError comes
    out as one line naming the flag and the target.
    """
    pending: list[tuple[str, str]] = []
    try:
        for flag, target, writer in outputs:
            if _in_place(target):
                _write(flag, target, writer, target)
        for flag, target, writer in outputs:
            if not _in_place(target):
                tmp = _temp_name(target)
                _State.temps.append(tmp)  # registered first: a signal may come at any point
                _write(flag, target, writer, tmp, create=True)
                pending.append((tmp, target))
        _commit(pending)
    finally:
        for tmp in _State.temps:  # renamed ones are gone; failed or unfinished ones are removed
            _remove(tmp)
        _State.temps.clear()


def _write(flag: str, target: str, writer: Callable[[str], None], path: str,
           create: bool = False) -> None:
    try:
        if create:  # the mode a plain open() would give (umask applies), not mkstemp's 0600
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        writer(path)
    except OSError as err:
        raise OSError(f"{flag} {target}: cannot write ({err.strerror or err}).") from None


def _temp_name(target: str) -> str:
    directory = os.path.dirname(os.path.abspath(target))
    suffix = os.path.splitext(target)[1]
    return os.path.join(directory, f".jmetrics-{os.getpid()}-{secrets.token_hex(4)}{suffix}")


def _commit(pending: list[tuple[str, str]]) -> None:
    _State.committing = True
    try:
        for tmp, target in pending:
            os.replace(tmp, target)
            _State.written.append(target)
    finally:
        _State.committing = False
    if _State.deferred is not None:
        _end(_State.deferred)


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


@contextlib.contextmanager
def ending_on_signals() -> Iterator[None]:
    """SIGINT/SIGTERM end the process at once (see the module docstring) while inside."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.getsignal(s) for s in _SIGNALS}
    _State.written.clear()
    _State.deferred = None
    for s in _SIGNALS:
        signal.signal(s, _handle)
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)


def _handle(signum: int, frame: FrameType | None) -> None:
    if _State.committing:
        _State.deferred = signum
        return
    _end(signum)


def _end(signum: int) -> Any:
    for tmp in list(_State.temps):
        _remove(tmp)
    done = f"{', '.join(_State.written)} written" if _State.written else "no output written"
    what = "interrupted" if signum == signal.SIGINT else f"stopped by {signal.Signals(signum).name}"
    with contextlib.suppress(Exception):
        sys.stderr.flush()
    with contextlib.suppress(OSError):
        os.write(2, f"jmetrics: {what}; {done}.\n".encode())
    os._exit(128 + signum)
