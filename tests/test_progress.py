"""Progress of long commands: their phases on a terminal's standard error, nothing in a pipe or in CI."""

from __future__ import annotations

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from practice_graph.core.progress import Phases
from practice_graph.pipeline import BUILD_PHASES, VALIDATE_PHASES

from .conftest import PROJECT

CLI = [sys.executable, "-m", "practice_graph.cli"]


def on_terminal(command: list[str], env: dict[str, str], columns: int) -> str:
    """Everything ``command`` writes to a pseudo-terminal ``columns`` wide (0: one that reports no size)."""
    master, child_end = pty.openpty()
    fcntl.ioctl(child_end, termios.TIOCSWINSZ, struct.pack("HHHH", 24 if columns else 0, columns, 0, 0))
    process = subprocess.Popen(command, stdin=child_end, stdout=child_end, stderr=child_end, env=env, cwd=PROJECT)
    os.close(child_end)
    output = bytearray()
    while True:
        try:
            data = os.read(master, 4096)
        except OSError:  # EIO: the command has ended and closed the terminal
            break
        if not data:
            break
        output.extend(data)
    process.wait(timeout=120)
    os.close(master)
    assert process.returncode == 0, output.decode("utf-8", "replace")
    return output.decode("utf-8", "replace")


def test_phases_show_each_phase_by_name_and_count(capsys) -> None:
    with Phases("build", BUILD_PHASES, enabled=True) as phases:
        phases.start("load the data")
        phases.start("SHACL")  # "build the RDF" done before it
        phases.start("viewer")  # serialise ... analysis passed over (read from a cache)
    shown = capsys.readouterr().err
    assert "build: 0/8" in shown and "load the data" in shown
    assert "build: 2/8" in shown and "SHACL" in shown
    assert "build: 6/8" in shown and "viewer" in shown
    assert "build: 8/8" in shown and shown.endswith("\n")


def test_disabled_phases_print_nothing(capsys) -> None:
    with Phases("build", BUILD_PHASES, enabled=False) as phases:
        phases.start("load the data")
    assert capsys.readouterr().err == ""


def test_phases_left_by_an_error_stop_where_they_were(capsys) -> None:
    with pytest.raises(RuntimeError), Phases("validate", VALIDATE_PHASES, enabled=True) as phases:
        phases.start("build the RDF")
        raise RuntimeError("broken")
    shown = capsys.readouterr().err
    assert "validate: 1/3" in shown and "3/3" not in shown


@pytest.mark.parametrize("columns", [100, 0])
def test_validate_shows_its_phases_on_a_terminal(kept_shacl_verdict, columns: int) -> None:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    shown = on_terminal([*CLI, "validate"], env, columns)
    for number, name in enumerate(VALIDATE_PHASES):
        assert f"validate: {number}/3" in shown and name in shown, shown
    assert "validate: 3/3" in shown and "ok: " in shown


def test_validate_is_quiet_in_a_pipe_and_in_ci(kept_shacl_verdict) -> None:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    piped = subprocess.run([*CLI, "validate"], env=env, cwd=PROJECT, capture_output=True, text=True, check=True)
    assert piped.stderr == "" and piped.stdout.startswith("ok: ")
    in_ci = on_terminal([*CLI, "validate"], {**env, "CI": "true"}, 100)
    assert "validate:" not in in_ci and "ok: " in in_ci
