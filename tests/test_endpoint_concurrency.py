"""Concurrent first requests to a fresh endpoint all succeed (no load figures here: see benchmarks/)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from practice_graph.core.paths import NTRIPLES

# Runs in a fresh interpreter: the parser's shared state must be cold, as in a new `serve`.
CLIENTS = textwrap.dedent("""
    import http.client, sys, threading
    from pathlib import Path
    from practice_graph.sparql.query import bound_text, named_queries
    from practice_graph.sparql.endpoint import Limits, SparqlServer

    server = SparqlServer(("127.0.0.1", 0), Path(sys.argv[1]).read_bytes(), Limits(), workers=2)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = server.server_address[1]
    texts = [bound_text(q, {"node": "henan"} if q.name == "evidence" else None) for q in named_queries()]
    statuses = []
    start = threading.Barrier(8)

    def client(index):
        start.wait()
        for number in range(3):
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            try:
                connection.request("POST", "/sparql", body=texts[(index + number) % len(texts)].encode(),
                                   headers={"Content-Type": "application/sparql-query"})
                statuses.append(connection.getresponse().status)
            except Exception as error:
                statuses.append(type(error).__name__)
            finally:
                connection.close()

    threads = [threading.Thread(target=client, args=(index,)) for index in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    server.shutdown()
    server.server_close()
    print(sorted(map(str, statuses)))
""")


def test_eight_concurrent_clients_on_a_fresh_endpoint_all_get_answers(built, tmp_path: Path) -> None:
    graph = tmp_path / NTRIPLES
    graph.write_bytes(built.files[NTRIPLES])
    done = subprocess.run([sys.executable, "-c", CLIENTS, str(graph)], capture_output=True, text=True,
                          timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == str(["200"] * 24), done.stdout + done.stderr[-2000:]
