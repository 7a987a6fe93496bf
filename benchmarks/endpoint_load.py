"""A bounded loopback load test of the SPARQL endpoint.

Starts ``practice_graph.sparql.endpoint.SparqlServer`` in this process on a free port of 127.0.0.1
(nothing listens beyond loopback), then runs ``--clients`` concurrent clients that each send
``--queries`` requests (the named queries in turn, parameters bound with ``bound_text``, each
client starting at a different query), over one keep-alive HTTP/1.1 connection per client, as
POST ``application/sparql-query`` asking for SPARQL JSON results. Every answer must be
``200`` with valid JSON. The run is bounded: at most clients x queries requests, each with a
socket time-out, and no new request after ``--max-seconds``. Prints errors (the goal: 0),
throughput and latency percentiles; exits 1 when any request failed::

    PYTHONPATH=src python3 benchmarks/endpoint_load.py [--clients 8] [--queries 200] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

PARAMS = {"evidence": {"node": "henan"}}
HOST = "127.0.0.1"


@dataclass
class ClientResult:
    latencies: list[tuple[str, float]] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    not_sent: int = 0


def mixed_queries() -> list[tuple[str, str]]:
    """Every named query, bound, as (name, text)."""
    from practice_graph.sparql.query import bound_text, named_queries

    return [(query.name, bound_text(query, PARAMS.get(query.name))) for query in named_queries()]


def client(port: int, queries: list[tuple[str, str]], count: int, start: int, deadline: float,
           timeout_s: float, result: ClientResult) -> None:
    """Send ``count`` queries over one keep-alive connection, recording latency or error."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
    headers = {"Content-Type": "application/sparql-query; charset=utf-8",
               "Accept": "application/sparql-results+json"}
    try:
        for number in range(count):
            if time.perf_counter() > deadline:
                result.not_sent = count - number
                return
            name, text = queries[(start + number) % len(queries)]
            started = time.perf_counter()
            try:
                connection.request("POST", "/sparql", body=text.encode("utf-8"), headers=headers)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    result.errors[f"{name}: HTTP {response.status} {body[:120].decode('utf-8', 'replace')!r}"] += 1
                    continue
                json.loads(body)
            except (OSError, http.client.HTTPException, ValueError) as error:
                result.errors[f"{name}: {type(error).__name__}: {error}"] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=timeout_s)
                continue
            result.latencies.append((name, time.perf_counter() - started))
    finally:
        connection.close()


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of sorted ``values``."""
    index = max(0, min(len(values) - 1, round(fraction * len(values) + 0.5) - 1))
    return values[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Bounded loopback load test of the SPARQL endpoint.")
    parser.add_argument("--clients", type=int, default=8, help="Concurrent clients")
    parser.add_argument("--queries", type=int, default=200, help="Queries per client")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="Endpoint worker processes")
    parser.add_argument("--copies", type=int, default=1, help="Serve a synthetic graph of this many copies")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="No new request after this long")
    parser.add_argument("--timeout", type=float, default=30.0, help="Socket time-out per request (s)")
    args = parser.parse_args(argv)

    from practice_graph.sparql.endpoint import Limits, SparqlServer

    real = synthetic.real_ntriples()
    ntriples = real if args.copies == 1 else synthetic.synthetic_ntriples(real, args.copies)
    started = time.perf_counter()
    server = SparqlServer((HOST, 0), ntriples, Limits(), workers=args.workers)
    port = server.server_address[1]
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    queries = mixed_queries()
    triples = ntriples.count(b"\n")
    print(f"endpoint on http://{HOST}:{port}/sparql, {args.workers} worker process(es), "
          f"{triples:,} triples, ready in {time.perf_counter() - started:.2f} s")
    print(f"{args.clients} clients x {args.queries} queries, mixed over {len(queries)} named queries; "
          f"{os.cpu_count()} cores")

    results = [ClientResult() for _ in range(args.clients)]
    began = time.perf_counter()
    deadline = began + args.max_seconds
    threads = [threading.Thread(target=client, args=(port, queries, args.queries, index * 3, deadline,
                                                      args.timeout, results[index]))
               for index in range(args.clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    server.shutdown()
    server.server_close()

    latencies = sorted(seconds for result in results for _, seconds in result.latencies)
    errors = sum((result.errors for result in results), Counter())
    not_sent = sum(result.not_sent for result in results)
    answered = len(latencies)
    print(f"answered  {answered:,} of {args.clients * args.queries:,} in {elapsed:.2f} s"
          + (f" ({not_sent:,} not sent: time bound reached)" if not_sent else ""))
    print(f"errors    {sum(errors.values())}")
    for message, count in errors.most_common(10):
        print(f"  {count} x {message}")
    if latencies:
        print(f"throughput {answered / elapsed:,.1f} queries/s")
        marks = ", ".join(f"p{round(fraction * 100)} {percentile(latencies, fraction) * 1000:.1f} ms"
                          for fraction in (0.50, 0.90, 0.99))
        print(f"latency   {marks}, max {latencies[-1] * 1000:.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms")
        by_query: dict[str, list[float]] = {}
        for result in results:
            for name, seconds in result.latencies:
                by_query.setdefault(name, []).append(seconds)
        print("p50 per query (ms): " + ", ".join(
            f"{name} {statistics.median(values) * 1000:.1f}" for name, values in sorted(by_query.items())))
    failed = bool(errors) or not_sent > 0
    print("PASS  0 errors" if not failed else "FAIL  errors or unsent queries")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
