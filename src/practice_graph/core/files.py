"""Writing outputs as a whole: a folder of outputs is replaced in one step, a single file by a rename.

A set of outputs (``write_outputs``) is written into a new folder beside the target, then swapped
with it in one step (Linux ``renameat2(RENAME_EXCHANGE)``), so a reader, a failure or a
``kill -9`` at any moment finds either the whole earlier set or the whole new one, never a mix
and never a temporary file among them. Entries of the target that the new set does not hold
(``dist/site`` beside a build's files) are carried over as hard links. Where the swap is not
available (another system, a file system without it), the target is moved aside and the new
folder moved in: a kill between the two leaves the earlier set beside the target, and the next
write puts it back first.

A single file (``write_atomically``) goes through a temporary file in the same folder, renamed
over the target. What a killed writer leaves (hidden ``.NAME.staging-PID-*`` folders and
``.NAME.PID.*.tmp`` files) is removed by the next write to the same target, once that process is
gone. ``check_output_folder`` and ``check_output_file`` find the usual write problems (no
permission, a file or folder in the way, a device, no space) before any work is done.

Written files and folders get the permissions of normally created ones (``0666``/``0777`` less
the umask), not the ``0600`` of :func:`tempfile.mkstemp`, so colleagues and web servers can read
the outputs.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

CHUNK = 1 << 20  # bytes written per system call
MIB = 1 << 20
MIN_FREE = 32 * MIB  # free space a new set of outputs needs at least (a build's is about 10 MB)
RENAME_EXCHANGE = 2  # linux/fs.h
AT_FDCWD = -100
LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?:(?:staging|retired)-(?P<pid>\d+)-[^/]*|(?P<tmp_pid>\d+)\.[^/]*\.tmp)")
PROBE = ".practice-graph-probe-"


class OutputError(Exception):
    """Outputs cannot be written where they were asked for; the message says why, in one line."""


# ---------------------------------------------------------------------------------- checks


def check_output_folder(out_dir: Path, needed: int = MIN_FREE) -> None:
    """Raise OutputError unless a set of outputs of about ``needed`` bytes can replace ``out_dir``.

    Checked before any work: the target is a folder or absent, is not the current folder, the
    home folder or one above them (they would be replaced as a whole), its parent can be written
    (a real probe: permissions, read-only file systems, immutable folders), and the device has
    the room.
    """
    target = Path(os.path.abspath(out_dir))
    if target.exists() and not target.is_dir():
        raise OutputError(f"{out_dir}: is not a folder (outputs are a folder of files)")
    _refuse_shared_folder(out_dir)
    _check_room(out_dir, target.resolve().parent, needed)


def _refuse_shared_folder(out_dir: Path) -> None:
    """OutputError when ``out_dir`` is the current folder, the home folder or above one of them."""
    real = Path(os.path.abspath(out_dir)).resolve()
    for guarded, what in ((Path.cwd().resolve(), "the current folder"), (Path.home().resolve(), "your home folder")):
        if real == guarded or real in guarded.parents:
            raise OutputError(f"{out_dir}: the outputs replace their folder as a whole, and this is {what} "
                              "or above it; give the outputs a folder of their own")


def check_output_file(out_file: Path, needed: int = MIN_FREE) -> None:
    """Raise OutputError unless ``out_file`` can be (re)written as a regular file: checked before any work."""
    target = Path(os.path.abspath(out_file))
    if target.is_dir():
        raise OutputError(f"{out_file}: is a folder, not a file")
    if target.exists() and not target.is_file():
        raise OutputError(f"{out_file}: is not a regular file (a device or a pipe); give a file name")
    _check_room(out_file, target.resolve().parent, needed)


def _check_room(given: Path, parent: Path, needed: int) -> None:
    """The nearest existing folder at or above ``parent`` takes a new entry, and its device ``needed`` bytes."""
    existing = parent
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"{given}: {existing} is not a folder")
    _remove_leftovers(existing, None)
    try:
        probe = tempfile.mkdtemp(prefix=f"{PROBE}{os.getpid()}-", dir=existing)
    except OSError as error:
        raise OutputError(f"{given}: cannot write in {existing}: {error.strerror or error}") from None
    os.rmdir(probe)
    free = shutil.disk_usage(existing).free
    if free < needed:
        raise OutputError(f"{given}: {_size(free)} free on its device, the outputs need about {_size(needed)}")


def _size(size: int) -> str:
    return f"{size / MIB:.1f} MiB" if size < 1 << 30 else f"{size / (1 << 30):.1f} GiB"


def tree_size(folder: Path) -> int:
    """Bytes of the regular files below ``folder`` (0 when it is absent): what replacing it takes again."""
    total = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(root, name)).st_size
    return total


# ---------------------------------------------------------------------------------- writing


def _umask() -> int:
    """The process umask: from ``/proc`` on Linux (no change, no race between threads), else set and restored."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_file(path: Path, content: bytes, mode: int) -> None:
    """Create ``path`` (it must not exist) holding ``content``, with ``mode``, flushed to the disk."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o600)
    try:
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, mode)
        else:  # pragma: no cover - Windows
            os.chmod(path, mode)
        view = memoryview(content)
        while view:
            view = view[os.write(descriptor, view[:CHUNK]):]
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` through a temporary file renamed over it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(path.parent, path.name)
    temporary = path.parent / f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
    try:
        _write_file(temporary, content, 0o666 & ~_umask())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_outputs(out_dir: Path, files: Mapping[str, bytes], *, keep_others: bool = True) -> list[Path]:
    """Replace ``out_dir`` as a whole by a folder holding ``files`` (relative path -> bytes); returns their paths.

    With ``keep_others``, entries of the earlier ``out_dir`` whose name is not the first part of a
    path in ``files`` (another command's outputs, such as ``dist/site``) are carried into the new
    folder as hard links (copies where links are not possible).
    """
    out_dir = Path(out_dir)
    _refuse_shared_folder(out_dir)
    target = Path(os.path.abspath(out_dir))
    if target.is_symlink():
        target = target.resolve()  # a link to the outputs' folder stays a link to it
    target.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(target.parent, target.name)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.staging-{os.getpid()}-", dir=target.parent))
    try:
        file_mode, folder_mode = 0o666 & ~_umask(), 0o777 & ~_umask()
        os.chmod(staging, folder_mode)
        for name in sorted(files):
            path = staging / name
            if not path.parent.is_dir():
                _make_folders(staging, path.parent, folder_mode)
            _write_file(path, files[name], file_mode)
        if keep_others and target.is_dir():
            ours = {Path(name).parts[0] for name in files}
            for entry in sorted(os.listdir(target)):
                if entry not in ours:
                    _link_tree(target / entry, staging / entry)
        _sync_folder(staging)
        if target.exists() or target.is_symlink():
            _replace(staging, target)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(staging, ignore_errors=True)  # after the swap it holds the earlier set
    return [out_dir / name for name in sorted(files)]


def _make_folders(top: Path, folder: Path, mode: int) -> None:
    """Create ``folder`` and its missing parents below ``top`` with ``mode``."""
    missing = []
    while folder != top and not folder.is_dir():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        os.mkdir(path)
        os.chmod(path, mode)


def _link_tree(source: Path, destination: Path) -> None:
    """Copy ``source`` to ``destination``: folders made anew, files hard-linked (copied where that fails)."""
    if source.is_symlink():
        os.symlink(os.readlink(source), destination)
    elif source.is_dir():
        os.mkdir(destination)
        shutil.copystat(source, destination)
        for entry in sorted(os.listdir(source)):
            _link_tree(source / entry, destination / entry)
    else:
        try:
            os.link(source, destination)
        except OSError:
            shutil.copy2(source, destination)


def _sync_folder(folder: Path) -> None:
    """Flush a folder's entries to the disk (where folders can be opened)."""
    with contextlib.suppress(OSError):
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def _exchange(first: Path, second: Path) -> None:
    """Swap two paths in one step (Linux ``renameat2`` with ``RENAME_EXCHANGE``); OSError where not possible."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOSYS, "no renameat2 here")
    libc = ctypes.CDLL(None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        raise OSError(errno.ENOSYS, "no renameat2 in this C library")
    if renameat2(AT_FDCWD, os.fsencode(first), AT_FDCWD, os.fsencode(second), RENAME_EXCHANGE) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code), str(second))


def _replace(staging: Path, target: Path) -> None:
    """Put the folder ``staging`` in ``target``'s place; then ``staging``, if still there, holds the earlier one."""
    try:
        _exchange(staging, target)
        return
    except OSError as error:
        if error.errno not in {errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP}:
            raise
    # No swap in one step here: move the target aside (the next write restores it if this process
    # dies before the new folder is in place), then move the new folder in.
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.retired-{os.getpid()}-", dir=target.parent))
    os.rename(target, retired / "earlier")
    try:
        os.rename(staging, target)
    except BaseException:
        os.rename(retired / "earlier", target)
        os.rmdir(retired)
        raise
    shutil.rmtree(retired, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


def _remove_leftovers(folder: Path, name: str | None) -> None:
    """Remove what writers of ``folder/name`` that are gone left behind, and put back a target one left
    aside; with ``name`` None, the write probes of checks that are gone."""
    try:
        entries = os.listdir(folder)
    except OSError:
        return
    for entry in sorted(entries):
        if name is None:
            pid = entry[len(PROBE):].partition("-")[0] if entry.startswith(PROBE) else ""
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.rmdir(folder / entry)
            continue
        found = LEFTOVER.fullmatch(entry)
        if not found or found.group("name") != name:
            continue
        if _alive(int(found.group("pid") or found.group("tmp_pid"))):
            continue
        path = folder / entry
        earlier = path / "earlier"
        if ".retired-" in entry and earlier.is_dir() and not (folder / name).exists():
            with contextlib.suppress(OSError):
                os.rename(earlier, folder / name)
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()


# ---------------------------------------------------------------------------------- reading


def read_folder(folder: Path, attempts: int = 10) -> dict[str, bytes]:
    """The regular files directly in ``folder``, by name, read as one set ({} when it is absent).

    A writer may replace the folder meanwhile: the files are read through the folder that was
    opened, and read again when the path no longer leads to it afterwards.
    """
    for _ in range(attempts):
        try:
            descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        except (FileNotFoundError, NotADirectoryError):
            return {}
        try:
            found: dict[str, bytes] = {}
            complete = True
            for name in sorted(os.listdir(descriptor)):
                try:
                    handle = os.open(name, os.O_RDONLY, dir_fd=descriptor)
                except FileNotFoundError:
                    complete = False
                    break
                with os.fdopen(handle, "rb") as stream:
                    if stat.S_ISREG(os.fstat(stream.fileno()).st_mode):
                        found[name] = stream.read()
            opened = os.fstat(descriptor)
            try:
                now = os.stat(folder)
            except FileNotFoundError:
                now = None
            if complete and now is not None and (now.st_dev, now.st_ino) == (opened.st_dev, opened.st_ino):
                return found
        finally:
            os.close(descriptor)
    raise OSError(errno.EBUSY, "the folder kept changing while it was read", str(folder))
