"""A bounded, seeded fuzzer of the curated data: mutated copies of the real YAML files, each checked
in-process by ``pipeline.load_valid`` (what ``validate`` and ``build`` run first), and the data it
accepts built into RDF (``rdf.build.build_graph``).

Every case must end in success or in problems that are each one ``file:line: field: message`` line
(what the command line prints before its ``error:`` line, exit 2); any other exception is a
defect. ``PRACTICE_GRAPH_FUZZ_CASES`` (default 300) and ``PRACTICE_GRAPH_FUZZ_SEED`` (default 15)
choose how many cases run and which; a failure names the seed and case that reproduce it.
"""

from __future__ import annotations

import os
import random
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from practice_graph.pipeline import BuildFailed, load_valid
from practice_graph.rdf.build import build_graph

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = sorted(path.relative_to(DATA).as_posix() for path in [*DATA.glob("*.yaml"), DATA / "source" / "source.yaml"])
CASES = int(os.environ.get("PRACTICE_GRAPH_FUZZ_CASES", "300"))
SEED = int(os.environ.get("PRACTICE_GRAPH_FUZZ_SEED", "15"))

# Pieces of YAML that break things: flow and block syntax, tags (some refused by the safe loader),
# anchors and aliases, values of every type, over-long and over-deep values, bad characters.
TOKENS = [
    ":", "- ", "[", "]", "{", "}", ",", "?", "&a ", "*a", "!", "!!python/object:os.system", "!!binary ",
    "!!set", "!!omap", "!!float ", "!!str ", "!!int ", "!!timestamp ", "!!null ", "|", ">-", "'", '"', "#",
    "%YAML 1.1\n", "---\n", "...\n", "\t", "\r", "\x00", "\x01", "\ufeff", "\u2028", "\\", "~", "null", "true",
    "no", "0x1F", "1e9999", ".nan", "-.inf", "2023-13-45", "12:30:00", "<script>", "${x}", "\n", "  ",
]
VALUES = [
    "", "null", "~", "true", "0", "-1", "3.5", "1e400", "[]", "{}", "[a, b]", "{a: 1}", "x", "TODO",
    "9" * 5000, "x" * 12_000, "[" * 200 + "]" * 200, "{a: " * 80 + "1" + "}" * 80, "2024-02-30", "2023",
    "p-1-1-1", "henan", "t-9", "m-9-9", "department-types/housing", "'it''s'", '"\\u0000"', "!!binary aGVsbG8=",
    "!!set {a, b}", "&x 1", "*x", "!!python/name:os.system", "'\u202e'", "<b>x</b>",
]


def mutate(text: str, chance: random.Random) -> str:
    """One or a few random edits of a YAML text."""
    for _ in range(chance.choice([1, 1, 1, 2, 3])):
        lines = text.split("\n")
        at = chance.randrange(len(lines))
        kind = chance.randrange(12)
        line = lines[at]
        if kind == 0:  # a token inserted anywhere
            column = chance.randrange(len(line) + 1)
            lines[at] = line[:column] + chance.choice(TOKENS) + line[column:]
        elif kind == 1:  # a value replaced by another of any type
            key, sep, _ = line.partition(": ")
            lines[at] = f"{key}: {chance.choice(VALUES)}" if sep else f"{line} {chance.choice(VALUES)}"
        elif kind == 2:  # a line removed
            del lines[at]
        elif kind == 3:  # a line repeated (duplicate keys and records)
            lines.insert(at, line)
        elif kind == 4:  # indentation changed
            lines[at] = " " * chance.choice([0, 1, 2, 3, 4, 6, 8]) + line.lstrip(" ")
        elif kind == 5:  # two lines swapped
            other = chance.randrange(len(lines))
            lines[at], lines[other] = lines[other], line
        elif kind == 6:  # a span of characters deleted
            start = chance.randrange(len(text) + 1)
            return text[:start] + text[start + chance.randint(1, 40):]
        elif kind == 7:  # cut short
            return text[:chance.randrange(len(text) + 1)]
        elif kind == 8:  # a key replaced: unknown, empty, a list, a number
            _, sep, value = line.partition(":")
            if sep:
                indent = line[:len(line) - len(line.lstrip(" -"))]
                lines[at] = f"{indent}{chance.choice(['zzz', '[a, b]', '1', 'true', 'null', '? x', '&a k'])}:{value}"
        elif kind == 9:  # a mapping or list item in place of a line
            lines[at] = line + chance.choice(["\n  - x", "\n    nested: {a: [1, 2]}", "\n- {}", "\n-"])
        elif kind == 10:  # an id copied onto another record (dangling and duplicate references)
            ids = re.findall(r"(?m)^- id: (\S+)$", text)
            if ids:
                return text.replace(chance.choice(ids), chance.choice(ids), chance.randint(1, 3))
        else:  # a whole record duplicated
            starts = [index for index, candidate in enumerate(lines) if candidate.startswith("- id: ")]
            if len(starts) >= 2:
                first = chance.randrange(len(starts) - 1)
                lines[starts[-1]:starts[-1]] = lines[starts[first]:starts[first + 1]]
        text = "\n".join(lines)
    return text


def check_problem(problem: str, data: Path) -> None:
    """A problem must be one line naming a file under ``data``, a line and a field."""
    assert "\n" not in problem and len(problem) < 2000, problem[:500]
    assert re.match(rf"{re.escape(str(data))}/[^:\n]+\.(yaml|txt):\d+: .+: .", problem), problem[:500]


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("fuzz") / "data"
    shutil.copytree(DATA, folder)
    return folder


@pytest.mark.slow  # about a minute of CPU for 300 cases
def test_mutated_data_ends_in_success_or_one_line_per_problem(data_folder: Path) -> None:
    originals = {name: (DATA / name).read_text(encoding="utf-8") for name in FILES}
    outcomes: Counter[str] = Counter()
    for case in range(CASES):
        chance = random.Random(f"{SEED}-{case}")
        name = chance.choice(FILES)
        mutated = mutate(originals[name], chance)
        target = data_folder / name
        if chance.random() < 0.05:  # now and then bytes that are not UTF-8
            content = mutated.encode("utf-8")
            at = chance.randrange(len(content) + 1)
            target.write_bytes(content[:at] + bytes([chance.choice([0x80, 0xC3, 0xFF, 0xFE])]) + content[at:])
        else:
            target.write_text(mutated, encoding="utf-8")
        try:
            build_graph(load_valid(data_folder))
            outcomes["accepted"] += 1
        except BuildFailed as failed:
            assert failed.problems, f"seed {SEED}, case {case} ({name}): no problem listed"
            for problem in failed.problems:
                check_problem(problem, data_folder)
            outcomes["refused"] += 1
        except Exception as error:  # the defect this test looks for
            pytest.fail(f"seed {SEED}, case {case} ({name}): {type(error).__name__}: {str(error)[:300]}")
        finally:
            target.write_text(originals[name], encoding="utf-8")
    assert sum(outcomes.values()) == CASES
    print(f"{CASES} cases: {dict(outcomes)}")
