"""pyvis's ``Network`` class, imported without IPython (start-up time).

``pyvis.network`` imports ``IPython.display.IFrame`` when it is imported, for its notebook mode
(``Network.show`` in Jupyter), which the viewer never uses; importing IPython took about 0.8 s of
CPU, most of a build's viewer step. Outside a notebook (IPython not imported yet) pyvis is imported
against a stand-in ``IPython.display`` whose ``IFrame`` imports the real one when it is used, and
the stand-in is removed at once, so a later ``import IPython`` gets the real package.
"""

from __future__ import annotations

import sys
import types
from typing import Any


class _IFrame:
    """IPython's ``IFrame``, imported when pyvis first uses it (``Network.show`` in a notebook)."""

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        from IPython.display import IFrame  # only pyvis's notebook mode gets here

        return IFrame(*args, **kwargs)


def pyvis_network_class() -> Any:
    """``pyvis.network.Network``; IPython is imported only when it was already (a notebook)."""
    if "pyvis.network" in sys.modules or "IPython" in sys.modules:
        from pyvis.network import Network

        return Network
    stand_in = types.ModuleType("IPython.display")
    stand_in.IFrame = _IFrame  # type: ignore[attr-defined]
    sys.modules["IPython.display"] = stand_in
    try:
        from pyvis.network import Network
    finally:
        if sys.modules.get("IPython.display") is stand_in:
            del sys.modules["IPython.display"]
    return Network
