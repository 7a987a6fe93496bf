"""What hostile queries cost the SPARQL endpoint: waits of other clients, and memory.

Starts ``practice_graph.sparql.endpoint.SparqlServer`` in this process on a free port of
127.0.0.1 over the real built graph, then

1. sends a parse bomb (about 60 KB: a long ``FILTER(?o IN (1,1,...))`` with the word "service"
   in a comment, so the endpoint checks it with rdflib, which needs seconds per kilobyte) and,
   while it is being parsed, an unrelated ASK every 100 ms; prints the longest and the median
   wait of the unrelated queries and how the hostile one ended;
2. sends a cross product with ORDER BY and a CONCAT-doubling query at once, under
   ``--memory-limit`` for the workers, sampling the resident memory of this process and its
   workers from /proc every 20 ms; prints the peaks and how each query ended.

Bounded: each hostile query is stopped at the time limit (``--timeout``) or the memory limit::

    PYTHONPATH=src python3 benchmarks/endpoint_hostile.py [--timeout 10] [--memory-limit 1G] [--workers 2]
        [--graph dist/practice-graph.nt]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT / "benchmarks"))
sys.path.insert(0, str(PROJECT))

import synthetic  # noqa: E402

from tests.servers import children, endpoint_in_thread, resident, url_of  # noqa: E402

MIB = 1 << 20
UNRELATED = ("ASK { <https://w3id.org/practice-graph/id/henan> a "
             "<https://w3id.org/practice-graph/ontology#Region> }")
CROSS_PRODUCT = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
CONCAT_DOUBLING = ('SELECT (STRLEN(?s25) AS ?n) WHERE { BIND("0123456789abcdef0123456789abcdef" AS ?s0) '
                   + " ".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1})" for i in range(25)) + " }")


def post(url: str, query: str) -> tuple[int, bytes, float]:
    started = time.perf_counter()
    request = urllib.request.Request(url, query.encode(), {"Content-Type": "application/sparql-query"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return response.status, response.read(), time.perf_counter() - started
    except urllib.error.HTTPError as error:
        return error.code, error.read(), time.perf_counter() - started


def parse_bomb(url: str, size: int) -> None:
    items = (size - 80) // 2
    hostile = "# service\nSELECT * WHERE { ?s ?p ?o FILTER(?o IN (" + ",".join(["1"] * items) + ")) }"
    ended: list[tuple[int, bytes, float]] = []
    sender = threading.Thread(target=lambda: ended.append(post(url, hostile)))
    sender.start()
    time.sleep(0.2)
    waits = []
    while sender.is_alive():
        status, _, seconds = post(url, UNRELATED)
        if status != 200:
            print(f"  unrelated query answered {status}")
        waits.append(seconds)
        time.sleep(0.1)
    sender.join()
    status, body, seconds = ended[0]
    print(f"parse bomb ({len(hostile):,} bytes): HTTP {status} after {seconds:.1f} s: {body.decode().strip()}")
    print(f"  {len(waits)} unrelated queries meanwhile: longest wait {max(waits) * 1000:.0f} ms, "
          f"median {statistics.median(waits) * 1000:.0f} ms")


def memory_bombs(url: str, limit: int) -> None:
    me = os.getpid()
    peaks = {"workers": 0, "tree": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            workers = sum(resident(pid) for pid in children(me))
            peaks["workers"] = max(peaks["workers"], workers)
            peaks["tree"] = max(peaks["tree"], workers + resident(me))
            time.sleep(0.02)

    at_rest = sum(resident(pid) for pid in children(me)) + resident(me)
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    results: dict[str, tuple[int, bytes, float]] = {}
    senders = [threading.Thread(target=lambda name=name, query=query: results.__setitem__(name, post(url, query)))
               for name, query in (("cross product", CROSS_PRODUCT), ("concat doubling", CONCAT_DOUBLING))]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    status, _, _ = post(url, UNRELATED)
    done.set()
    sampler.join()
    for name, (code, body, seconds) in results.items():
        print(f"{name}: HTTP {code} after {seconds:.1f} s: {body.decode().strip()[:100]}")
    print(f"  then an unrelated query: HTTP {status}")
    print(f"  resident memory: at rest {at_rest / MIB:.0f} MiB; peak of the workers {peaks['workers'] / MIB:.0f} MiB "
          f"(limit {limit / MIB:.0f} MiB), of the whole tree {peaks['tree'] / MIB:.0f} MiB")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="What hostile queries cost the SPARQL endpoint.")
    parser.add_argument("--timeout", type=float, default=10.0, help="Seconds a query may run")
    parser.add_argument("--memory-limit", default="1G", help="Memory of the workers in total (512M, 2G, 25%%)")
    parser.add_argument("--workers", type=int, default=2, help="Endpoint worker processes")
    parser.add_argument("--bomb-bytes", type=int, default=60_000, help="Size of the parse bomb")
    parser.add_argument("--graph", type=Path, help="N-Triples to serve (default: the built graph)")
    args = parser.parse_args(argv)

    from practice_graph.core.limits import parse_size
    from practice_graph.sparql.endpoint import Limits

    limit = parse_size(args.memory_limit)
    limits = Limits(timeout_s=args.timeout, memory_bytes=limit)
    ntriples = args.graph.read_bytes() if args.graph else synthetic.real_ntriples()
    with endpoint_in_thread(ntriples, limits, workers=args.workers) as server:
        url = url_of(server)
        print(f"endpoint on {url}: {args.workers} workers, time limit {args.timeout:g} s, memory limit "
              f"{limit / MIB:.0f} MiB in total; {os.cpu_count()} cores")
        parse_bomb(url, args.bomb_bytes)
        memory_bombs(url, limit)
    return 0


if __name__ == "__main__":
    sys.exit(main())
