"""Servers the tests (and ``benchmarks/endpoint_hostile.py``) start on loopback ports, written once.

- :class:`Listener`: a TCP listener standing in for an internal service, which must receive nothing;
- :func:`endpoint_in_thread`: the SPARQL endpoint of this process, served from a thread;
- :func:`start_serve`: ``practice-graph serve`` as a process of its own (a session of its own);
- :func:`children`, :func:`workers_of`, :func:`resident`: a process tree read from /proc.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from practice_graph.sparql.endpoint import SHUTDOWN_POLL_S, Limits, SparqlServer

HOST = "127.0.0.1"
SOURCES = Path(__file__).resolve().parent.parent / "src"


class Listener:
    """A loopback TCP listener that counts the connections it accepts."""

    def __init__(self) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind((HOST, 0))
        self.socket.listen(16)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections = 0
        self.running = True
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while self.running:
            try:
                connection, _ = self.socket.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=2)
        self.socket.close()


@contextmanager
def listening() -> Iterator[Listener]:
    """A :class:`Listener` for the length of a ``with`` block (a module's fixture)."""
    target = Listener()
    try:
        yield target
    finally:
        target.close()


@contextmanager
def endpoint_in_thread(graph: bytes | Path, limits: Limits | None = None, workers: int = 1,
                       **options) -> Iterator[SparqlServer]:
    """``SparqlServer`` on a free loopback port, serving from a daemon thread; shut down on leaving."""
    server = SparqlServer((HOST, 0), graph, limits or Limits(), workers=workers, **options)
    # polled for the stop as `serve` polls (socketserver's default, 0.5 s, delays every shutdown)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL_S}, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def url_of(server: SparqlServer, path: str = "/sparql") -> str:
    return "http://{}:{}".format(*server.server_address[:2]) + path


@dataclass
class Served:
    """A ``practice-graph serve`` process, its endpoint's URL and the lines of its stderr so far."""

    process: subprocess.Popen[str]
    url: str = ""
    lines: list[str] = field(default_factory=list)

    def stderr(self) -> str:
        return "".join(self.lines)

    def stop(self) -> None:
        """Kill its whole session (by its PID) if it still runs."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


class ServeDidNotStart(RuntimeError):
    pass


def serve_environment() -> dict[str, str]:
    """This process's environment, with this checkout's sources first on the path."""
    return {**os.environ, "PYTHONPATH": os.pathsep.join([str(SOURCES), os.environ.get("PYTHONPATH", "")])}


def start_serve(*options: str, timeout: float = 180) -> Served:
    """``practice-graph serve --port 0`` in a session of its own; waits for its address line."""
    process = subprocess.Popen(
        [sys.executable, "-m", "practice_graph.cli", "serve", "--port", "0", *options],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        env=serve_environment(), start_new_session=True,
    )
    served = Served(process)

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            served.lines.append(line)

    threading.Thread(target=read, daemon=True).start()
    deadline = time.monotonic() + timeout
    while not served.url:
        for line in list(served.lines):
            if line.startswith("SPARQL endpoint: "):
                served.url = line.split()[2]
        if not served.url and (process.poll() is not None or time.monotonic() > deadline):
            served.stop()
            raise ServeDidNotStart(f"serve did not start: {served.stderr()}")
        time.sleep(0.02)
    return served


def children(pid: int) -> list[int]:
    """The PIDs whose parent is ``pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry))
    return found


def workers_of(pid: int) -> list[int]:
    """The query workers among a process's children (not multiprocessing's resource tracker)."""
    found = []
    for child in children(pid):
        try:
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(child)
        except OSError:
            continue
    return found


def resident(pid: int) -> int:
    """Resident bytes of one process (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0
