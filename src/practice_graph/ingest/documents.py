"""Policy documents: titles in 《》 or 〈〉, documents named after an issuing verb, and 文号 (豫建人教〔2022〕132号)."""

from __future__ import annotations

import re

from practice_graph.curation.load import normalize_document_number
from practice_graph.ingest.runs import TITLE, Candidate, Run, add

DOC_NUMBER = re.compile(r"([\u4e00-\u9fffA-Za-z]{1,12})[ \u3000]*[〔\[(（【［][ \u3000]*(\d{4})[ \u3000]*[〕\])）】］]"
                        r"[ \u3000]*第?[ \u3000]*(\d{1,4})[ \u3000]*号")
DOCUMENT_SUFFIX = ("方案|办法|意见|通知|规定|条例|细则|政策|措施|规划|标准|制度|目录|清单|指引|指南|决定|名录|名册"
                   "|协议|备忘录")
ISSUED_DOCUMENT = re.compile(rf"(?:印发|出台|制定|发布|颁布|出台了|印发了|制定了|签订|签署|纳入)(?!《)"
                             rf"([^，。；、《》“”\s]{{2,40}}?(?:{DOCUMENT_SUFFIX}))")


def find_documents(run: Run) -> list[Candidate]:
    """Titles (with the 文号 printed right after them), issued documents, and every 文号 on its own."""
    found: list[Candidate] = []
    text = run.text
    numbers = list(DOC_NUMBER.finditer(text))
    titles = list(TITLE.finditer(text))
    attached: set[int] = set()
    for title in titles:
        group = 1 if title.group(1) is not None else 2
        doc = add(found, run, "document", title.start(group), title.end(group), "title-marks")
        for number in numbers:
            if number.start() >= title.end() and re.match(r"^[ \u3000]*[（(]?[ \u3000]*$",
                                                          text[title.end():number.start()]) is not None:
                doc.fields["number"] = number.group(0)
                doc.fields["number_normalized"] = normalize_document_number(number.group(0))
                attached.add(number.start())
                break
    for issued in ISSUED_DOCUMENT.finditer(text):
        add(found, run, "document", issued.start(1), issued.end(1), "issuing-verb")
    for number in numbers:
        add(found, run, "document-number", number.start(), number.end(), "document-number",
            number=number.group(0), number_normalized=normalize_document_number(number.group(0)),
            year=int(number.group(2)), attached=number.start() in attached)
    return found
