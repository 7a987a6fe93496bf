"""Build hook (hatchling): the wheel carries the curated data and the ontology as package resources.

``data/`` and ``ontology/`` stay where curators edit them; a wheel gets copies under
``practice_graph/resources/``, where :mod:`practice_graph.core.paths` finds them when the
package does not run from a checkout. An editable install reads the checkout and gets no copy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

RESOURCES = {"data": "practice_graph/resources/data", "ontology": "practice_graph/resources/ontology"}


class ResourcesHook(BuildHookInterface):
    """Copy data/ and ontology/ into a standard (not editable) wheel."""

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version != "standard":
            return
        for folder, target in RESOURCES.items():
            build_data["force_include"][str(Path(self.root) / folder)] = target
