"""Agencies and organisations: a gazetteer of the curated bodies, and names by their last word (局, 协会 ...)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from practice_graph.curation.load import Agency, Dataset, Organization
from practice_graph.ingest.regions import ancestors, known_regions
from practice_graph.ingest.runs import Candidate, Run, add, mask, quoted_spans, suffix_phrases

BODY_SUFFIX = re.compile(r"厅|局|委员会|委|部门|协会|学院|学校|法院|中院|高院|工会|工作站|工作室|服务中心"
                         r"|基地|产业园|服务园|机构|领导小组|办公室|公司|集团")
BODY_END = re.compile(f"(?:{BODY_SUFFIX.pattern})$")
NOT_A_BODY_AFTER = {"领域", "行业", "补贴", "资金", "经费", "政策", "工作", "建设", "监管", "主管"}


class Gazetteer:
    """Names of bodies taken from the curated agencies and organisations."""

    def __init__(self, dataset: Dataset) -> None:
        self.terms: dict[str, list[str]] = {}
        self.kinds: dict[str, str] = {}
        self.regions: dict[str, str | None] = {}
        for cls, kind in ((Agency, "agency"), (Organization, "organization")):
            for record in dataset.of(cls):
                names = {record.label.zh}
                full = getattr(record, "full_name", None)
                if full is not None and full.zh:
                    names.add(full.zh)
                for name in names:
                    self.terms.setdefault(name, []).append(record.id)
                self.kinds[record.id] = kind
                self.regions[record.id] = getattr(record, "region", None)
        self.ordered = sorted(self.terms, key=lambda t: (-len(t), t))
        self.known = known_regions(dataset)

    def scan(self, text: str) -> Iterator[tuple[int, int, str]]:
        """Longest non-overlapping occurrences; a bare short term must stand in a list or end a clause."""
        hits = []
        for term in self.ordered:
            for match in re.finditer(re.escape(term), text):
                start, end = match.span()
                if not BODY_END.search(term):
                    following = text[end:end + 2]
                    if len(term) <= 4 and following and following[0] not in "、，。；和及与等":
                        continue
                    if following in NOT_A_BODY_AFTER:
                        continue
                hits.append((start, end, term))
        hits.sort(key=lambda h: (h[0], -(h[1] - h[0])))
        last_start = last_end = -1
        for start, end, term in hits:
            if start >= last_end:
                yield start, end, term
                last_start, last_end = start, end
            elif start == last_start and BODY_END.search(term) and len(term) >= 4:
                yield start, end, term  # a body whose name opens a longer body's name

    def ids_for(self, term: str, region: str | None) -> tuple[list[str], bool]:
        """The curated bodies with this name, narrowed to the practice's region; False: none is there."""
        ids = sorted(set(self.terms[term]))
        if region is None:
            return ids, True
        lineage = {region, *ancestors(region, self.known)}
        near = [i for i in ids if self.regions.get(i) in lineage or self.regions.get(i) is None]
        return (near, True) if near else (ids, False)


def find_bodies(run: Run, gazetteer: Gazetteer) -> list[Candidate]:
    """Curated bodies named in the run (gazetteer), then other names ending like a body."""
    found: list[Candidate] = []
    text = run.text
    taken: list[tuple[int, int]] = []
    for start, end, term in gazetteer.scan(text):
        ids, near = gazetteer.ids_for(term, run.region)
        add(found, run, "body", start, end, "gazetteer", kinds=sorted({gazetteer.kinds[i] for i in ids}),
            gazetteer_ids=ids, in_region=near)
        taken.append((start, end))
    masked = mask(text, quoted_spans(text))
    for start, end in suffix_phrases(masked, BODY_SUFFIX):
        if any(start < e and s < end for s, e in taken):
            continue
        add(found, run, "body", start, end, "body-suffix")
    return found
