"""Query output in Chinese, English or both (``--lang``): labels replaced or added, everything else kept.

Expectations are read off the data: the first work task of the list is 推进农民工向新时代建筑产业工人转型,
"Promote the transformation of migrant workers into new-era construction industry workers" in the
curators' translation (data/skeleton.yaml), and holds nine practices (一 (一) 1-2, (二) 1-2, (三) 1-3,
(四) 1-2); Chongqing's 免费培训平台 is "Chongqing free training platform" (data/platforms.yaml).
"""

from __future__ import annotations

import csv
import io
import json

import pytest
import yaml
from click.testing import CliRunner

from practice_graph.cli import main
from practice_graph.core.paths import NTRIPLES
from practice_graph.sparql.query import QueryError, open_store, run_query
from tests.conftest import DATA
from tests.test_query_forms import endpoint  # noqa: F401  (the endpoint fixture)

TASK_ONE = ("推进农民工向新时代建筑产业工人转型",
            "Promote the transformation of migrant workers into new-era construction industry workers")


@pytest.fixture(scope="module")
def store(built):
    return open_store(built.files[NTRIPLES])


def rows(answer: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(answer.decode("utf-8"))))


def test_chinese_is_the_default_and_unchanged(store) -> None:
    assert run_query(store, "cq02", output="csv", lang="zh") == run_query(store, "cq02", output="csv")
    assert rows(run_query(store, "cq02", output="csv"))[0]["taskLabel"] == TASK_ONE[0]


def test_english_puts_the_english_label_in_place(store) -> None:
    first = rows(run_query(store, "cq02", output="csv", lang="en"))[0]
    assert first == {"task": "https://w3id.org/practice-graph/id/t-1", "taskLabel": TASK_ONE[1], "practices": "9"}
    table = run_query(store, "cq02", lang="en").decode("utf-8")
    assert TASK_ONE[1] in table and TASK_ONE[0] not in table


def test_both_keeps_the_chinese_and_adds_the_english(store) -> None:
    answer = json.loads(run_query(store, "cq05", output="json", lang="both"))
    assert answer["head"]["vars"] == ["platform", "platformLabel", "platformLabel_en", "region", "regionLabel",
                                      "regionLabel_en"]
    row = next(b for b in answer["results"]["bindings"]
               if b["platform"]["value"].endswith("/fujian-social-security-platform"))
    assert row["platformLabel"] == {"type": "literal", "value": "省社保平台", "xml:lang": "zh"}
    assert row["platformLabel_en"] == {"type": "literal", "value": "Fujian provincial social insurance platform",
                                       "xml:lang": "en"}
    assert (row["regionLabel"]["value"], row["regionLabel_en"]["value"]) == ("福建省", "Fujian Province")


def test_text_that_is_no_label_stays_as_written(store) -> None:
    # cq07's description and unit are the source's words about a figure, not the label of a node
    both = rows(run_query(store, "cq07", output="csv", lang="both"))
    zh = rows(run_query(store, "cq07", output="csv"))
    assert list(both[0]) == ["region", "regionLabel", "regionLabel_en", "value", "unit", "description"]
    assert [(r["description"], r["unit"]) for r in both] == [(r["description"], r["unit"]) for r in zh]
    # two columns of regions: each label goes with its own region
    cross = rows(run_query(store, "cq14", output="csv", lang="en"))
    wenzhou = next(r for r in cross if r["region"].endswith("/wenzhou") and r["otherRegion"].endswith("/aba"))
    assert (wenzhou["regionLabel"], wenzhou["otherRegionLabel"]) == (
        "Wenzhou", "Ngawa Tibetan and Qiang Autonomous Prefecture")


def test_a_list_of_labels_is_translated_label_by_label(store) -> None:
    # cq10 joins the Chinese names of the regions with 、; each is translated as data/regions.yaml does
    regions = yaml.safe_load((DATA / "regions.yaml").read_text("utf-8"))
    english = {region["label"]["zh"]: region["label"]["en"] for region in regions}
    both = rows(run_query(store, "cq10", output="csv", lang="both"))
    assert both and list(both[0])[-2:] == ["regionLabels", "regionLabels_en"]
    for row in both:
        chinese = row["regionLabels"].split("、")
        assert len(chinese) == int(row["regionCount"])
        assert row["regionLabels_en"].split("; ") == [english[name] for name in chinese]
    en = rows(run_query(store, "cq10", output="csv", lang="en"))
    assert [row["regionLabels"] for row in en] == [row["regionLabels_en"] for row in both]


def test_an_endpoint_gives_the_same_bytes(store, endpoint) -> None:  # noqa: F811
    for lang in ("en", "both"):
        for name in ("cq10", "cq14"):
            assert run_query(endpoint, name, output="csv", lang=lang) == run_query(store, name, output="csv", lang=lang)


def test_cli_lang(seeded_cache) -> None:
    result = CliRunner().invoke(main, ["query", "cq02", "--lang", "both"])
    assert result.exit_code == 0, result.output
    header = result.output.splitlines()[0].split()
    assert header == ["task", "taskLabel", "taskLabel_en", "practices"]
    assert TASK_ONE[0] in result.output and TASK_ONE[1] in result.output
    refused = CliRunner().invoke(main, ["query", "cq02", "--lang", "fr"])
    assert refused.exit_code == 2
    with pytest.raises(QueryError, match="unknown label language 'fr'"):
        run_query(open_store(b""), "cq02", lang="fr")
