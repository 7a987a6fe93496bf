"""Outputs are replaced as a whole: a build killed (SIGKILL) at any point of its write window leaves
either every earlier file or every new one, byte for byte, and no temporary file among them; write
problems are found before any work, one line, exit 2.

The kill test runs the ``build`` command in forked children, its rendering replaced by the
session's real outputs (the earlier set) or a changed copy of them (the new set: every file's bytes
changed, one file added), beside files of other commands and of the user, and kills each child at
the N-th file-system call it makes, for every N from the first to the last; then it hashes every
file under ``dist/``.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from practice_graph import cli
from practice_graph.core import files as outputs
from practice_graph.core.files import LEFTOVER, read_folder, write_outputs
from practice_graph.pipeline import render_outputs

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="kills forked children")

# The file-system calls a writer makes; the hook kills the process before the N-th of them.
HOOKED = [(os, name) for name in ("open", "write", "fsync", "close", "mkdir", "rename", "replace", "link",
                                  "symlink", "unlink", "rmdir", "chmod", "fchmod")]
HOOKED += [(outputs, "_exchange"), (shutil, "copystat")]
FOREIGN = {"site/index.html": b"<p>a site written by another command</p>\n", "site/id/a.html": b"a\n",
           "notes.txt": b"the user's own file\n"}


@pytest.fixture(scope="module")
def earlier_set(built) -> dict[str, bytes]:
    return render_outputs(built)


@pytest.fixture(scope="module")
def new_set(earlier_set: dict[str, bytes]) -> dict[str, bytes]:
    changed = {name: content + b"\n# the next build\n" for name, content in earlier_set.items()}
    changed["analysis/added.csv"] = b"column\nvalue\n"
    return changed


def hashes(folder: Path) -> dict[str, str]:
    """Every file below ``folder`` by relative path, with the SHA-256 of its bytes."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def expected(files: dict[str, bytes]) -> dict[str, str]:
    return {name: hashlib.sha256(content).hexdigest() for name, content in {**files, **FOREIGN}.items()}


def lay_out(folder: Path, files: dict[str, bytes]) -> None:
    for name, content in {**files, **FOREIGN}.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)


def kill_at(step: int, work: Callable[[], None]) -> int | None:
    """Run ``work`` in a forked child killed before its ``step``-th hooked call; the number of calls it
    made when it ran to the end, None when it was killed."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read_end)
            calls = [0]

            def hooked(function: Callable) -> Callable:
                def call(*args, **kwargs):
                    calls[0] += 1
                    if calls[0] == step:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return function(*args, **kwargs)
                return call

            originals = [(module, name, getattr(module, name)) for module, name in HOOKED]
            for module, name, function in originals:
                setattr(module, name, hooked(function))
            work()
            for module, name, function in originals:  # no more counting
                setattr(module, name, function)
            os.write(write_end, str(calls[0]).encode())
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as answer:
        made = answer.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL
        return None
    assert os.waitstatus_to_exitcode(status) == 0, "the child failed"
    return int(made)


def build_command(dist: Path, built, rendered: dict[str, bytes]) -> Callable[[], None]:
    """The ``build`` command writing ``rendered`` (its rendering stages replaced by their result)."""
    def work() -> None:
        cli.run_build = lambda data_dir, ontology_dir, **options: built
        cli.render_outputs = lambda _, **options: rendered
        cli.font_notice = lambda: None
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            cli.main(["build", "--out", str(dist)], standalone_mode=False)
    return work


def sweep(tmp_path: Path, built, earlier_set, new_set, exchange: bool) -> Counter[str]:
    """Kill the build at every hooked call of its write window; check what each kill leaves."""
    pristine, work_dir = tmp_path / "pristine", tmp_path / "work"
    lay_out(pristine, earlier_set)
    work_dir.mkdir()
    dist = work_dir / "dist"
    earlier, new = expected(earlier_set), expected(new_set)
    write = build_command(dist, built, new_set)

    def reset() -> None:
        for entry in work_dir.iterdir():
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        shutil.copytree(pristine, dist, copy_function=os.link)

    reset()
    total = kill_at(10**9, write)
    assert total is not None and total > 50
    assert hashes(dist) == new
    outcomes: Counter[str] = Counter()
    for step in [*range(1, total + 1), 10**9]:  # every call, then a build that runs to the end
        reset()
        finished = kill_at(step, write)
        if dist.exists() or exchange:
            found = hashes(dist)
        else:  # moved aside when the child died: the next write puts it back before anything else
            outputs._remove_leftovers(work_dir, "dist")
            found, outcomes["restored"] = hashes(dist), outcomes["restored"] + 1
        assert found in (earlier, new), f"kill at call {step} of {total}: a mixed set"
        outcomes["earlier" if found == earlier else "new"] += 1
        outcomes["completed" if finished is not None else "killed"] += 1
        stray = [entry.name for entry in work_dir.iterdir() if entry.name != "dist"]
        # beside it, only a hidden staging folder or write probe of the killed build
        assert all(LEFTOVER.fullmatch(name) or name.startswith(outputs.PROBE) for name in stray), stray
        if step % 25 == 0 or step >= total:  # the next build's check and write remove what the killed one left
            outputs.check_output_folder(dist)
            outputs._remove_leftovers(work_dir, "dist")
            assert [entry.name for entry in work_dir.iterdir()] == ["dist"]
    assert outcomes["earlier"] > 0 and outcomes["new"] > 0 and outcomes["completed"] == 1
    return outcomes


@pytest.mark.slow  # a minute: about 250 kill points, each a forked build writing 11 MB
def test_a_build_killed_anywhere_in_its_write_window_leaves_one_whole_set(tmp_path, built, earlier_set,
                                                                          new_set, capsys) -> None:
    outcomes = sweep(tmp_path, built, earlier_set, new_set, exchange=True)
    with capsys.disabled():
        print(f"\nkill points (swap in one step): {outcomes['killed'] + outcomes['completed']}: {dict(outcomes)}")


@pytest.mark.slow  # two real builds
def test_a_real_build_process_killed_in_its_write_window(tmp_path, data_copy, earlier_set) -> None:
    data = data_copy(("regions.yaml", 'en: "Gushi County"', 'en: "Gushi"'))  # other data: other bytes
    work_dir = tmp_path / "work"
    dist = work_dir / "dist"
    lay_out(dist, earlier_set)
    command = [sys.executable, "-m", "practice_graph.cli", "build", "--data", str(data), "--out", str(dist)]
    build = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    killed = False
    while build.poll() is None:  # the write window opens when the hidden staging folder appears
        if any(LEFTOVER.fullmatch(name) for name in os.listdir(work_dir)):
            build.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.001)
    build.wait()
    found = hashes(dist)
    subprocess.run(command, check=True, capture_output=True)  # a build that runs to the end
    assert killed
    assert found in (expected(earlier_set), hashes(dist))
    assert [entry.name for entry in work_dir.iterdir()] == ["dist"]  # it removed what the killed one left


@pytest.mark.slow
def test_without_a_swap_in_one_step_the_earlier_set_comes_back(tmp_path, built, earlier_set, new_set,
                                                               monkeypatch, capsys) -> None:
    def no_exchange(first: Path, second: Path) -> None:
        raise OSError(errno.ENOSYS, "not here")

    monkeypatch.setattr(outputs, "_exchange", no_exchange)
    outcomes = sweep(tmp_path, built, earlier_set, new_set, exchange=False)
    with capsys.disabled():
        print(f"\nkill points (two renames): {outcomes['killed'] + outcomes['completed']}: {dict(outcomes)}")


def test_a_write_that_fails_midway_leaves_the_earlier_set_and_one_line(tmp_path, built, earlier_set, new_set,
                                                                        monkeypatch) -> None:
    dist = tmp_path / "dist"
    lay_out(dist, earlier_set)
    writes = [0]
    real_write = os.write

    def disk_fills(descriptor: int, data) -> int:
        writes[0] += 1
        if writes[0] == 12:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_write(descriptor, data)

    monkeypatch.setattr(cli, "run_build", lambda data_dir, ontology_dir, **options: built)
    monkeypatch.setattr(cli, "render_outputs", lambda _, **options: new_set)
    monkeypatch.setattr(os, "write", disk_fills)
    result = CliRunner().invoke(cli.main, ["build", "--out", str(dist)])
    monkeypatch.undo()
    assert result.exit_code == 1
    [line] = result.stderr.splitlines()[-1:]
    assert line == f"error: cannot write {dist}: No space left on device; the earlier outputs are as they were"
    assert hashes(dist) == expected(earlier_set)
    assert sorted(entry.name for entry in tmp_path.iterdir()) == ["dist"]


# ------------------------------------------------------------------------ checked before the work


@pytest.fixture
def no_work(monkeypatch) -> None:
    """The build's work fails the test: every refusal must come before it."""
    def never(*args, **options) -> None:
        raise AssertionError("the work started")

    monkeypatch.setattr(cli, "run_build", never)


def refused(arguments: list[str]) -> str:
    result = CliRunner().invoke(cli.main, arguments)
    assert result.exit_code == 2, (result.output, result.exception)
    assert isinstance(result.exception, SystemExit)
    [line] = result.stderr.splitlines()
    return line


def test_a_device_as_out_is_refused_before_the_work(no_work) -> None:
    assert refused(["build", "--out", os.devnull]) == (
        f"error: {os.devnull}: is not a folder (outputs are a folder of files)")
    assert refused(["viz", "--out", os.devnull]) == (
        f"error: {os.devnull}: is not a regular file (a device or a pipe); give a file name")


def test_a_file_or_folder_in_the_way_is_refused_before_the_work(no_work, tmp_path) -> None:
    (tmp_path / "a-file").write_text("x")
    assert refused(["build", "--out", str(tmp_path / "a-file")]) == (
        f"error: {tmp_path / 'a-file'}: is not a folder (outputs are a folder of files)")
    assert refused(["build", "--out", str(tmp_path / "a-file" / "dist")]) == (
        f"error: {tmp_path / 'a-file' / 'dist'}: {tmp_path / 'a-file'} is not a folder")
    assert refused(["viz", "--out", str(tmp_path)]) == f"error: {tmp_path}: is a folder, not a file"


def test_the_current_folder_is_never_replaced(no_work, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    for out in (".", "..", str(tmp_path)):
        assert "the outputs replace their folder as a whole, and this is the current folder" in refused(
            ["build", "--out", out])


@contextlib.contextmanager
def unwritable(folder: Path) -> Iterator[None]:
    """A folder no new entry can be made in: immutable for root (who ignores permissions), else read-only."""
    if os.geteuid() == 0:
        if not shutil.which("chattr") or subprocess.run(["chattr", "+i", str(folder)], check=False).returncode:
            pytest.skip("root, and no chattr +i here")
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def test_a_folder_that_cannot_be_written_is_refused_before_the_work(no_work, tmp_path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    with unwritable(locked):
        line = refused(["build", "--out", str(locked / "dist")])
    assert line.startswith(f"error: {locked / 'dist'}: cannot write in {locked}: "), line


def test_a_full_device_is_refused_before_the_work(no_work, tmp_path, monkeypatch) -> None:
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "practice-graph.nt").write_bytes(b"x" * 100_000_000)  # the earlier outputs: 95 MiB
    free = shutil.disk_usage(tmp_path)._replace(free=40 << 20)
    monkeypatch.setattr(outputs.shutil, "disk_usage", lambda path: free)
    assert refused(["build", "--out", str(dist)]) == (
        f"error: {dist}: 40.0 MiB free on its device, the outputs need about 95.4 MiB")


def test_a_full_tmpfs_is_refused_before_the_work(no_work, tmp_path) -> None:
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           check=False, capture_output=True).returncode:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        assert refused(["build", "--out", str(mount / "dist")]) == (
            f"error: {mount / 'dist'}: 1.0 MiB free on its device, the outputs need about 32.0 MiB")
    finally:
        subprocess.run(["umount", str(mount)], check=True)


# ------------------------------------------------------------------------ readers during the swap


def test_a_reader_sees_one_whole_set_while_builds_replace_it(tmp_path) -> None:
    sets = [{f"analysis/table-{n}.csv": f"{name},{n}\n".encode() for n in range(20)} for name in ("a", "b")]
    wanted = [{Path(key).name: value for key, value in files.items()} for files in sets]
    dist = tmp_path / "dist"
    write_outputs(dist, sets[0])
    done = threading.Event()
    seen: Counter[str] = Counter()
    problems: list[str] = []

    def read() -> None:
        while not done.is_set():
            found = read_folder(dist / "analysis")
            if found not in wanted:
                problems.append(str(sorted(found)))
            seen["a" if found == wanted[0] else "b"] += 1

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for round_ in range(60):
            write_outputs(dist, sets[round_ % 2])
    finally:
        done.set()
        reader.join()
    assert not problems and sum(seen.values()) > 0
