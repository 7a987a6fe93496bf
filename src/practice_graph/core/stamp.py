"""What a build was made from: content hashes of the data, the ontology and the code (the build stamp).

A stamp is written beside every build (``build-stamp.json``) and keys the cache of built graphs,
so a build is current exactly when its inputs hash the same, whatever the file times say.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from practice_graph import __version__
from practice_graph.core.paths import PACKAGE_DIR

STAMP_FORMAT = 1
# The package files that can change what a build contains (code, a model, bundled vocabularies);
# query files and page assets are left out: editing them changes no triple.
CODE_SUFFIXES = frozenset({".py", ".yaml", ".yml", ".ttl", ".json", ".jsonld"})


def tree_hash(folder: Path, suffixes: frozenset[str] | None = None) -> str:
    """SHA-256 over every file below ``folder`` (relative path and content), in a fixed order.

    Hidden files and folders and ``__pycache__`` are skipped; ``suffixes``, when given, keeps only
    those files. A missing folder hashes like an empty one.
    """
    files = []
    for root, folders, names in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".") and name != "__pycache__"]
        for name in names:
            if not name.startswith(".") and (suffixes is None or os.path.splitext(name)[1] in suffixes):
                path = os.path.join(root, name)
                files.append((Path(os.path.relpath(path, folder)).as_posix(), path))
    digest = hashlib.sha256()
    for name, path in sorted(files):
        with open(path, "rb") as stream:
            content = stream.read()
        digest.update(f"{name}\0{len(content)}\0".encode())
        digest.update(content)
    return digest.hexdigest()


@dataclass(frozen=True)
class BuildStamp:
    """The hashes of what a build was made from, and of the N-Triples it made (once made)."""

    version: str
    code: str
    data: str
    ontology: str
    ntriples: str = ""

    @property
    def key(self) -> str:
        """The inputs' identity: two builds with the same key hold the same graph."""
        text = f"{STAMP_FORMAT}\n{self.version}\n{self.code}\n{self.data}\n{self.ontology}\n"
        return hashlib.sha256(text.encode()).hexdigest()

    def changed_since(self, other: BuildStamp) -> list[str]:
        """Which inputs differ from ``other``'s: data, ontology, code."""
        changed = [name for name in ("data", "ontology") if getattr(self, name) != getattr(other, name)]
        if (self.code, self.version) != (other.code, other.version):
            changed.append("code")
        return changed

    def with_ntriples(self, ntriples: bytes) -> BuildStamp:
        """This stamp naming the N-Triples built from its inputs."""
        return BuildStamp(self.version, self.code, self.data, self.ontology, hashlib.sha256(ntriples).hexdigest())

    def to_json(self) -> bytes:
        """The stamp file's content: sorted keys, one line per field, deterministic."""
        document = {"format": STAMP_FORMAT, "key": self.key, **asdict(self)}
        return (json.dumps(document, indent=1, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def from_json(cls, content: bytes) -> BuildStamp | None:
        """The stamp in a stamp file, or None when it is not one this code can trust."""
        try:
            document = json.loads(content)
            if document.get("format") != STAMP_FORMAT:
                return None
            stamp = cls(*(str(document[name]) for name in ("version", "code", "data", "ontology", "ntriples")))
        except (ValueError, TypeError, KeyError, AttributeError):
            return None
        return stamp if document.get("key") == stamp.key else None


def current_stamp(data_dir: Path, ontology_dir: Path) -> BuildStamp:
    """The stamp a build of ``data_dir`` and ``ontology_dir`` by this code would carry."""
    return BuildStamp(
        version=__version__,
        code=tree_hash(PACKAGE_DIR, CODE_SUFFIXES),
        data=tree_hash(Path(data_dir)),
        ontology=tree_hash(Path(ontology_dir)),
    )
