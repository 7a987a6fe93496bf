"""Memory limits: sizes as people write them, the machine's memory, and work run in a child
process whose address space is capped (``RLIMIT_AS``), so that running out of memory is one
clean error instead of a process killed by the system or an engine that aborts.

The work runs in a fork of the calling process (no start-up cost: the child shares what the
parent has read). What it returns travels back through a pipe; what the engine prints when an
allocation fails goes to a file the parent reads to say why the child stopped.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import re
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

MIB = 1 << 20
SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(%|[kmgt]i?b?|b)?\s*", re.IGNORECASE)
OK, FAILED, OUT_OF_MEMORY = b"0", b"E", b"M"


class OutOfMemory(Exception):
    """The work needed more memory than its limit."""


class Stopped(Exception):
    """The child doing the work stopped without an answer (a signal, a crash); the reason is the message."""


def machine_memory() -> int:
    """Bytes of memory this machine (or the control group this process runs in) has."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    try:
        cgroup = Path("/sys/fs/cgroup/memory.max").read_text(encoding="ascii").strip()
    except OSError:
        return total
    return min(total, int(cgroup)) if cgroup.isdigit() else total


def parse_size(text: str) -> int:
    """Bytes from a size such as ``512M``, ``2G``, ``1.5GiB``, ``800000000`` or ``25%`` (of the machine's memory)."""
    match = SIZE.fullmatch(text)
    if not match:
        raise ValueError(f"not a size: {text!r} (write it as 512M, 2G or 25%)")
    number, unit = float(match.group(1)), (match.group(2) or "b").lower()
    if unit == "%":
        if not 0 < number <= 100:
            raise ValueError(f"not a share of memory: {text!r} (between 0 and 100%)")
        return int(machine_memory() * number / 100)
    return int(number * 1024 ** "bkmgt".index(unit[0]))


def format_size(size: int) -> str:
    """A size in MiB or GiB, for messages."""
    return f"{size / (1 << 30):.1f} GiB" if size >= 1 << 30 else f"{size / MIB:.0f} MiB"


def address_space() -> int:
    """Bytes of address space this process holds (what ``RLIMIT_AS`` counts); 0 where it cannot be read."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def can_limit() -> bool:
    """Whether work can run in a child with capped memory here (POSIX ``fork`` and ``RLIMIT_AS``)."""
    try:
        import resource
    except ImportError:  # pragma: no cover - Windows
        return False
    return hasattr(os, "fork") and hasattr(resource, "RLIMIT_AS")


def run_limited(work: Callable[[], bytes], memory_bytes: int,
                passed: tuple[type[Exception], ...] = ()) -> bytes:
    """``work()`` run in a forked child that may take ``memory_bytes`` of address space beyond what it
    shares with this process when it starts (the cap is that, plus ``memory_bytes``).

    Returns what the work returned. Raises OutOfMemory when it needed more; an exception of one of
    the ``passed`` classes raised by the work is raised again here (built from its message);
    Stopped when the child ended any other way. Ctrl-C stops the child with the parent.
    """
    log_fd, log_path = tempfile.mkstemp(prefix="practice-graph-query-", suffix=".log")
    read_end, write_end = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(work, memory_bytes, passed, write_end, log_fd)
    os.close(write_end)
    os.close(log_fd)
    try:
        with os.fdopen(read_end, "rb") as answer:
            message = answer.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        raise
    finally:
        tail = _tail(log_path)
        with contextlib.suppress(OSError):
            os.unlink(log_path)
    kind, body = message[:1], message[1:]
    if kind == OK:
        return body
    if kind == OUT_OF_MEMORY or "memory allocation of" in tail or "MemoryError" in tail:
        raise OutOfMemory(f"more than {format_size(memory_bytes)}")
    if kind == FAILED:
        index, _, text = body.decode("utf-8", errors="replace").partition(":")
        raise passed[int(index)](text)
    if "overflowed its stack" in tail:
        raise Stopped("nested too deeply (the engine ran out of stack)")
    if os.WIFSIGNALED(status):
        raise Stopped(f"stopped by signal {signal.Signals(os.WTERMSIG(status)).name}")
    raise Stopped(f"stopped with exit code {os.waitstatus_to_exitcode(status)}")


def _child(work: Callable[[], bytes], memory_bytes: int, passed: tuple[type[Exception], ...],
           answer_fd: int, log_fd: int) -> None:
    """Cap this process's memory, do the work, send its outcome, exit (no clean-up of the parent's state)."""
    code = 0
    try:
        import resource

        signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends the child quietly; the parent reports
        os.dup2(log_fd, 2)
        os.environ["RUST_BACKTRACE"] = "0"  # one line when the engine cannot allocate, not a backtrace
        faulthandler.disable()  # the parent says why the child stopped, in one line
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = address_space() + memory_bytes  # what the child holds from its parent, plus the work's share
        resource.setrlimit(resource.RLIMIT_AS, (cap if hard == resource.RLIM_INFINITY else min(cap, hard), hard))
        try:
            message = OK + work()
        except MemoryError:
            message = OUT_OF_MEMORY
        except passed as error:
            index = next(i for i, cls in enumerate(passed) if isinstance(error, cls))
            message = FAILED + f"{index}:{error}".encode("utf-8", errors="replace")
        with os.fdopen(answer_fd, "wb") as answer:
            answer.write(message)
    except MemoryError:
        code = 3
    except BaseException:  # a bug: its traceback goes to the log, the parent says the child stopped
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        os._exit(code)


def _tail(path: str, size: int = 65536) -> str:
    """The end of the child's log."""
    try:
        with open(path, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - size))
            return log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
