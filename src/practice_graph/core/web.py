"""What every page the project serves or writes shares: its Content-Security-Policy, script-safe JSON,
and the reading of an HTTP ``Accept`` header."""

from __future__ import annotations

import json
from typing import Any

_POLICY = (
    "default-src 'none'",
    "script-src 'unsafe-inline'",
    "style-src 'unsafe-inline'",
    "img-src data: blob:",
    "font-src data:",
)
_AFTER_CONNECT = ("form-action 'none'", "base-uri 'none'")


def content_security_policy(connect: str = "'none'") -> str:
    """The policy of our pages: inline scripts and styles only, no request except to ``connect``.

    ``connect`` is ``'none'`` for a page opened from disk (the viewer) and ``'self'`` for a page
    that queries the server it came from (the endpoint's query page).
    """
    return "; ".join((*_POLICY, f"connect-src {connect}", *_AFTER_CONNECT))


def script_json(value: Any, *, sort_keys: bool = True, compact: bool = True) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` survive, so no data can end it."""
    separators = (",", ":") if compact else (", ", ": ")
    text = json.dumps(value, ensure_ascii=False, sort_keys=sort_keys, separators=separators)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def accepted_media(accept: str) -> list[str]:
    """The media types of an ``Accept`` header, most preferred first (by ``q``, then by position),
    lower-cased, without parameters; those with ``q=0`` (or an unreadable ``q``) are left out."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(accept.split(",")):
        media, *params = (piece.strip().lower() for piece in part.split(";"))
        weight = 1.0
        for param in params:
            if param.startswith("q="):
                try:
                    weight = float(param[2:])
                except ValueError:
                    weight = 0.0
        if weight > 0:
            ranked.append((-weight, index, media))
    return [media for _, _, media in sorted(ranked)]
