"""The pieces every page shares: its Content-Security-Policy and JSON that cannot end a script element."""

from __future__ import annotations

import json

from practice_graph.core.web import accepted_media, content_security_policy, script_json


def test_script_json_cannot_close_the_element_and_reads_back() -> None:
    hostile = {"label": "</script><script>alert(1)</script> <!-- & -->", "zh": "河南省"}
    text = script_json(hostile)
    assert "<" not in text and ">" not in text and "&" not in text
    assert "河南省" in text  # Chinese stays readable, not \\u-escaped
    assert json.loads(text) == hostile


def test_the_policy_forbids_every_request_but_the_one_named() -> None:
    offline = content_security_policy()
    assert "default-src 'none'" in offline and "connect-src 'none'" in offline
    assert "base-uri 'none'" in offline and "form-action 'none'" in offline
    served = content_security_policy(connect="'self'")
    assert "connect-src 'self'" in served and "connect-src 'none'" not in served
    assert offline.replace("connect-src 'none'", "connect-src 'self'") == served


def test_accept_header_ranks_by_weight_then_position() -> None:
    # RFC 9110 §12.5.1: the weight decides; equal weights keep the client's order; q=0 means "not this".
    assert accepted_media("text/html;q=0.5, Application/LD+JSON, text/turtle;q=0.9") == [
        "application/ld+json", "text/turtle", "text/html"]
    assert accepted_media("text/turtle, application/n-triples") == ["text/turtle", "application/n-triples"]
    assert accepted_media("text/html;q=0, text/turtle;q=abc") == []
    assert accepted_media("") == [""]
