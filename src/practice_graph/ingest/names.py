"""Names of platforms, brands and events: in quotation marks (kind guessed from their neighbours),
after an honour verb, or outside quotation marks by their last word (平台, 系统 ...; 试点, 大赛 ...)."""

from __future__ import annotations

import re

from practice_graph.ingest.runs import QUOTED, Candidate, Run, add, mask, quoted_spans, suffix_phrases

HONOUR = re.compile(r"(?:被评为|评为|授予|被命名为|命名为)(?![“\"「])([^，。；、“”\s]{2,30}?)(?=[，。；]|称号|$)"
                    r"|获得([^，。；、“”\s]{2,20}?)(?:评定|称号)")
PLATFORM_SUFFIX = re.compile(r"平台|系统|数据库|库|模块|App|APP|app|小程序|处理中心|培训中心|数据中心")
NAME_AFTER = re.compile(r"^(?:”“[^“”]{1,40})*”[ \u3000]*(等)?([\u4e00-\u9fffA-Za-z]{0,8})")
PLATFORM_HINT = re.compile(r"^(?:平台|软件|App|APP|系统|服务|数字应用场景|应用场景|小程序|为数据基础|码)")
BRAND_HINT = re.compile(r"^(?:特色劳务品牌|劳务品牌|品牌|称号|建筑劳务队伍|评选|奖章)")
EVENT_HINT = re.compile(r"^(?:活动|行动|大赛|竞赛|计划|试点|培训|座谈会|夏令营)")
EVENT_AFTER_NAME = re.compile(r"”([\u4e00-\u9fff+]{0,12}(?:大赛|竞赛|评选活动|活动|行动|计划|试点|专题培训|培训))")
EVENT_SUFFIX = re.compile(r"试点|活动|职业技能培训|专题培训|人才培训|培训班|大赛|竞赛|比赛|计划|行动|夏令营|慰问|比武"
                          r"|座谈会|约谈会|交流会|现场会|推进会")
BRAND_BEFORE = re.compile(r"(?:评为|授予|命名为|评选|推荐)[“\"「]$")
PLATFORM_NAME = re.compile(r"(?:平台|系统|App|APP|码|软件|宝|通|在线)$")
BRAND_NAME = re.compile(r"(?:工匠|能手|奖章|建工|道桥|品牌)$")
EVENT_NAME = re.compile(r"(?:大赛|竞赛|活动|行动|计划|试点|夏令营|慰问|体检|座谈会)$")


def find_names(run: Run) -> list[Candidate]:
    """Names in quotation marks, classified by their neighbours; events named around a quote; honours."""
    found: list[Candidate] = []
    text = run.text
    for match in QUOTED.finditer(text):
        group = next(i for i in range(1, 5) if match.group(i) is not None)
        name = match.group(group)
        after = NAME_AFTER.match(text[match.end() - 1:])
        following = after.group(2) if after else ""
        before = text[max(0, match.start() - 3):match.start() + 1]
        if PLATFORM_HINT.match(following) or PLATFORM_NAME.search(name):
            kind = "platform"
        elif BRAND_HINT.match(following) or BRAND_BEFORE.search(before) or BRAND_NAME.search(name):
            kind = "brand"
        elif EVENT_HINT.match(following) or EVENT_NAME.search(name):
            kind = "event"
        else:
            kind = "name"
        add(found, run, kind, match.start(group), match.end(group), "quotation-marks")
    for event in EVENT_AFTER_NAME.finditer(text):
        opening = text.rfind("“", 0, event.start())
        if opening >= 0 and event.group(1):
            add(found, run, "event", opening, event.end(), "quoted-name-and-event-word")
    for honour in HONOUR.finditer(text):
        group = 1 if honour.group(1) else 2
        add(found, run, "brand", honour.start(group), honour.end(group), "honour-verb")
    return found


def find_by_suffix(run: Run, suffix: re.Pattern[str], kind: str) -> list[Candidate]:
    """Names of one kind found by their last word (平台, 系统 ...; 试点, 活动, 大赛 ...), outside quotation marks."""
    found: list[Candidate] = []
    masked = mask(run.text, quoted_spans(run.text))
    for start, end in suffix_phrases(masked, suffix):
        add(found, run, kind, start, end, f"{kind}-suffix")
    return found
