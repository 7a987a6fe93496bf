"""An on-disk pyoxigraph store (RocksDB) for graphs too large to load at every start.

``load_files`` bulk-loads N-Triples and Turtle into a store folder, with progress on a terminal;
``open_read_only`` opens one for queries (several processes may read it at once; none may write
it meanwhile). The named queries run on it as on the in-memory store. Oxigraph's bulk loader is
not transactional: a file that fails part-way into an existing store leaves what was read before
the error; a store created by a load that fails is removed.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from practice_graph.core.progress import progress

FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}
READ_BUFFER = 1 << 20


class StoreError(Exception):
    """A store folder that cannot be opened or loaded, or an input it cannot read."""


@dataclass(frozen=True)
class Loaded:
    """What a load did: files read, triples in the store before and after, seconds spent loading
    and then compacting the store (which makes later queries about a quarter faster)."""

    files: int
    before: int
    after: int
    seconds: float
    compact_seconds: float = 0.0

    @property
    def added(self) -> int:
        return self.after - self.before

    @property
    def rate(self) -> float:
        """Triples added per second of loading."""
        return self.added / self.seconds if self.seconds > 0 else 0.0


class _CountingReader(io.RawIOBase):
    """A file read through, advancing a progress bar by lines (N-Triples: triples) or bytes."""

    def __init__(self, path: Path, bar, by_lines: bool) -> None:
        self.file = path.open("rb")
        self.bar, self.by_lines = bar, by_lines

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        count = self.file.readinto(buffer)
        if count:
            self.bar.update(bytes(memoryview(buffer)[:count]).count(b"\n") if self.by_lines else count)
        return count

    def close(self) -> None:
        self.file.close()
        super().close()


def rdf_format(path: Path) -> ox.RdfFormat:
    """The format of an input file, by its extension."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise StoreError(f"{path}: not N-Triples (.nt) or Turtle (.ttl)") from None


def open_store(store_dir: Path) -> ox.Store:
    """The store in ``store_dir``, opened for writing (created when missing)."""
    try:
        return ox.Store(str(store_dir))
    except OSError as error:
        raise StoreError(f"{store_dir}: cannot open the store: {error}") from None


def open_read_only(store_dir: Path) -> ox.Store:
    """The store in ``store_dir``, read-only; StoreError when there is none."""
    if not (store_dir / "CURRENT").is_file():
        raise StoreError(f"{store_dir}: no store here (make one with: practice-graph load --store {store_dir} FILE)")
    try:
        return ox.Store.read_only(str(store_dir))
    except OSError as error:
        raise StoreError(f"{store_dir}: cannot open the store: {error}") from None


def load_files(store_dir: Path, files: Sequence[Path], *, show_progress: bool | None = None) -> Loaded:
    """Bulk-load N-Triples and Turtle files into the store in ``store_dir`` (added to what it holds)."""
    formats = [rdf_format(path) for path in files]
    created = not store_dir.exists()
    store = open_store(store_dir)
    before = len(store)
    started = time.perf_counter()
    try:
        for path, rdf in zip(files, formats, strict=True):
            _load_file(store, path, rdf, show_progress)
    except StoreError:
        del store
        if created:  # a new store that failed holds nothing worth keeping
            shutil.rmtree(store_dir, ignore_errors=True)
        raise
    seconds = time.perf_counter() - started
    return Loaded(len(files), before, len(store), seconds, _compact(store))


def _compact(store: ox.Store) -> float:
    started = time.perf_counter()
    store.flush()
    store.optimize()
    return time.perf_counter() - started


def _load_file(store: ox.Store, path: Path, rdf: ox.RdfFormat, show_progress: bool | None) -> None:
    by_lines = rdf == ox.RdfFormat.N_TRIPLES
    with progress(f"load {path.name}", total=None if by_lines else path.stat().st_size,
                  unit=" triples" if by_lines else "B", enabled=show_progress) as bar:
        reader = io.BufferedReader(_CountingReader(path, bar, by_lines), READ_BUFFER)
        try:
            store.bulk_load(reader, format=rdf)
        except SyntaxError as error:
            raise StoreError(f"{path}: {error}") from None
        finally:
            reader.close()


def load_bytes(store_dir: Path, ntriples: bytes) -> Loaded:
    """Bulk-load N-Triples held in memory (the built graph) into the store in ``store_dir``."""
    store = open_store(store_dir)
    before = len(store)
    started = time.perf_counter()
    store.bulk_load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    seconds = time.perf_counter() - started
    return Loaded(0, before, len(store), seconds, _compact(store))
