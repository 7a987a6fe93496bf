"""Take the README's screenshots with Debian's Chromium through Playwright (never `playwright install`).

    PYTHONPATH=src python3 scripts/screenshots.py [--out docs]

Builds the static site of the checkout's graph into a temporary folder and serves the graph on a
loopback port, then writes small PNGs: the index, the page of 河南省, a practice in the source
reader, the map, the viewer's first screen and the query page after running cq04. Needs Chromium
and a CJK font (`apt-get install chromium fonts-noto-cjk`).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import threading
import time
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from practice_graph.core.paths import ANALYSIS_DIR, DEFAULT_DATA, DEFAULT_ONTOLOGY, DEFAULT_OUT, ONTOLOGY_FILE
from practice_graph.pipeline import built_ntriples
from practice_graph.sparql.endpoint import Limits, SparqlServer
from practice_graph.views import site

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SITE_SIZE = {"width": 1100, "height": 760}
VIEWER_SIZE = {"width": 1280, "height": 800}


def wait_for(page: Page, expression: str, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(expression)
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("docs"), help="folder for the PNG files")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    ntriples = built_ntriples(DEFAULT_DATA, DEFAULT_ONTOLOGY)
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        inputs = site.site_inputs(ntriples, DEFAULT_DATA, DEFAULT_ONTOLOGY / ONTOLOGY_FILE, DEFAULT_OUT / ANALYSIS_DIR)
        site.write_site(root, site.render_site(inputs))
        server = SparqlServer(("127.0.0.1", 0), ntriples, Limits(timeout_s=10), workers=1)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch_persistent_context(
                    str(Path(folder) / "profile"), executable_path=shutil.which("chromium"), headless=True,
                    args=CHROMIUM_ARGS, viewport=SITE_SIZE)
                page = browser.new_page()
                for name, path in (("site-index.png", "index.html"), ("site-henan.png", "id/henan.html"),
                                   ("site-reader.png", "source.html#practice-p-4-1-1")):
                    page.goto((root / path.split("#")[0]).as_uri() + ("#" + path.split("#")[1] if "#" in path else ""))
                    page.screenshot(path=str(out / name))
                page.goto((root / "map.html").as_uri())
                page.locator("svg.map").screenshot(path=str(out / "site-map.png"))

                page.set_viewport_size(VIEWER_SIZE)
                page.goto((root / "viewer.html").as_uri())
                wait_for(page, "Boolean(window.pgViewer && pgViewer.overview && pgViewer.overview.placed)")
                page.mouse.move(5, VIEWER_SIZE["height"] - 5)
                page.screenshot(path=str(out / "viewer-overview.png"))

                page.set_viewport_size(SITE_SIZE)
                page.goto("http://{}:{}/".format(*server.server_address[:2]))
                page.click("#run")
                wait_for(page, "Boolean(document.body.dataset.ran)", timeout=30)
                page.screenshot(path=str(out / "query-page.png"))
                browser.close()
        finally:
            server.shutdown()
            server.server_close()
    for path in sorted(out.glob("*.png")):
        small(path)
        print(f"{path} ({path.stat().st_size:,} bytes)")


def small(path: Path) -> None:
    """The screenshot in 256 colours (a third of the size; text and flat colours stay sharp)."""
    from PIL import Image

    with Image.open(path) as image:
        reduced = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    reduced.save(path, optimize=True)


if __name__ == "__main__":
    main()
