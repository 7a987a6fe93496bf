"""pyvis is imported without IPython outside a notebook, and IPython stays whole for later imports."""

from __future__ import annotations

import os
import subprocess
import sys

from .conftest import PROJECT

SCRIPT = """
import sys
from practice_graph.views.pyvis_loader import pyvis_network_class
network = pyvis_network_class()(directed=True, cdn_resources="in_line")
network.add_node("n0", label="Henan")
assert "Henan" in network.generate_html(notebook=False)
print("IPython" in sys.modules, "IPython.display" in sys.modules)
import IPython.display
import pyvis.network
print(IPython.display.IFrame.__module__, type(pyvis.network.IFrame("about:blank", 10, 10)).__module__)
"""


def test_pyvis_loads_without_ipython_and_ipython_is_whole_afterwards() -> None:
    env = {**os.environ, "PYTHONPATH": str(PROJECT / "src")}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, check=True, capture_output=True, text=True)
    assert done.stdout.splitlines() == ["False False", "IPython.lib.display IPython.lib.display"]
