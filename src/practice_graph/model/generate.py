"""Write what derives from the model into the files that are checked in.

    python -m practice_graph.model.generate           # rewrite every generated file
    python -m practice_graph.model.generate --check   # exit 1 and name the stale files

Generated: the OWL ontology (``ontology/practice-graph.ttl``), the SHACL shapes
(``ontology/shapes.ttl``: the model's shapes, then the hand-written ``shapes-extra.ttl``), the
closed ``pg:`` namespace (``core/vocab.py``), the class list of ``sparql/queries/inventory.rq``
and the field tables of ``data/README.md`` (the last two between markers). A development tool:
nothing at run time imports it.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rdflib import Literal

from practice_graph.core.paths import DEFAULT_DATA, DEFAULT_ONTOLOGY, ONTOLOGY_FILE, PACKAGE_DIR, SHAPES_FILE
from practice_graph.model.schema import Class, Model, Slot, load_model

EXTRA_SHAPES_FILE = "shapes-extra.ttl"
VOCAB_FILE = PACKAGE_DIR / "core" / "vocab.py"
PREFIXES_FILE = PACKAGE_DIR / "core" / "prefixes.py"
INVENTORY_FILE = PACKAGE_DIR / "sparql" / "queries" / "inventory.rq"
README_FILE = DEFAULT_DATA / "README.md"
COMMAND = "python -m practice_graph.model.generate"
NOTICE = f"GENERATED from src/practice_graph/model/schema.yaml by `{COMMAND}`: do not edit."
README_BEGIN = "<!-- BEGIN fields (generated from the model) -->"
README_END = "<!-- END fields -->"
QUERY_BEGIN = "# BEGIN classes (generated from the model)"
QUERY_END = "# END classes"
LANGUAGES = ("zh", "en")


def _text(value: str, language: str | None = None) -> str:
    """A Turtle string literal."""
    return Literal(value, lang=language).n3()


def _names(names: object) -> str:
    return " , ".join(_text(getattr(names, language), language) for language in LANGUAGES)


def _statement(subject: str, pairs: list[tuple[str, str]]) -> str:
    body = " ;\n    ".join(f"{predicate} {obj}" for predicate, obj in pairs)
    return f"{subject} {body} .\n"


def _prefix_lines(model: Model, names: tuple[str, ...]) -> str:
    width = max(len(name) for name in names) + 2
    return "".join(f"@prefix {name + ':':<{width}}<{model.prefixes[name].iri}> .\n" for name in names)


# ---------------------------------------------------------------------------- the ontology
def _common_superclass(model: Model, names: tuple[str, ...]) -> str | None:
    """The one RDF class every class of a range falls under, if there is exactly one."""
    sets = [{model.classes[name].uri, *model.classes[name].subclass_of} - {None} for name in names]
    common = set.intersection(*sets) if sets else set()
    return common.pop() if len(common) == 1 else None


def property_range(model: Model, slot: Slot) -> str | None:
    """The rdfs:range of a slot's predicate, in Turtle (None: no single range)."""
    if slot.scheme is not None:
        return "skos:Concept"
    inner = model.range_class(slot)
    if inner is not None and inner.form == "langstring":
        return "rdf:langString"
    if slot.range and all(name in model.classes for name in slot.range):
        if len(slot.range) == 1:
            return inner.uri if inner is not None and not inner.abstract else None
        return _common_superclass(model, slot.range)
    if slot.range[0] in model.enums:
        values = " ".join(_text(value) for value in model.enums[slot.range[0]].permissible)
        return f"[ a rdfs:Datatype ; owl:oneOf ( {values} ) ]"
    if slot.lang:
        return "rdf:langString"
    datatypes = model.types[slot.range[0]].datatypes
    return datatypes[0] if len(datatypes) == 1 else None


def is_object_property(model: Model, slot: Slot) -> bool:
    """Whether a slot's values are nodes (IRIs) rather than literals."""
    inner = model.range_class(slot)
    if slot.scheme is not None or model.is_reference(slot):
        return True
    return inner is not None and inner.form != "langstring"


def own_properties(model: Model) -> list[Slot]:
    """The slots whose predicate is a term of the ontology's own namespace, one per predicate."""
    return [slot for slot in model.slots.values() if model.own(slot.uri)]


def ontology_turtle(model: Model) -> str:
    """The OWL ontology: every class and property of the ``pg:`` namespace, labelled and defined."""
    onto = model.ontology
    own = model.prefixes[onto.prefix].iri
    parts = [
        f"# {NOTICE}\n#\n# The practice-graph ontology. Chinese labels name the concepts as the source uses them;\n"
        "# English labels and definitions are the curators' work.\n\n",
        _prefix_lines(model, (onto.prefix, "owl", "rdf", "rdfs", "xsd", "skos", "dcterms", "org", "prov", "oa",
                              "eli", "schema", "vann")),
        "\n",
        _statement(f"<{onto.iri}>", [
            ("a", "owl:Ontology"),
            ("rdfs:label", _names(onto.label)),
            ("dcterms:title", _text(onto.label.en, "en")),
            ("dcterms:description", _text(onto.description, "en")),
            ("dcterms:license", f"<{onto.license}>"),
            ("vann:preferredNamespacePrefix", _text(onto.prefix)),
            ("vann:preferredNamespaceUri", _text(own)),
            ("owl:versionInfo", _text(onto.version)),
            ("rdfs:comment", _text(onto.comment, "en")),
        ]),
        "\n# ------------------------------------------------------------------ classes\n",
    ]
    for cls in model.classes.values():
        if not model.own(cls.uri):
            continue
        pairs = [("a", "owl:Class")]
        if cls.subclass_of:
            pairs.append(("rdfs:subClassOf", " , ".join(cls.subclass_of)))
        pairs += [("rdfs:label", _names(cls.label)), ("skos:definition", _text(cls.definition, "en"))]
        parts.append("\n" + _statement(cls.uri, pairs))  # type: ignore[arg-type]
    parts.append("\n# ------------------------------------------------------------------ properties\n")
    for slot in own_properties(model):
        kind = "owl:ObjectProperty" if is_object_property(model, slot) else "owl:DatatypeProperty"
        pairs = [("a", kind), ("rdfs:label", _names(slot.label)), ("skos:definition", _text(slot.definition, "en"))]
        users = model.users(slot.name)
        if len(users) == 1:
            pairs.append(("rdfs:domain", users[0].uri))  # type: ignore[arg-type]
        range_ = property_range(model, slot)
        if range_ is not None:
            pairs.append(("rdfs:range", range_))
        parts.append("\n" + _statement(slot.uri, pairs))  # type: ignore[arg-type]
    return "".join(parts)


# ---------------------------------------------------------------------------- the shapes
def shaped_classes(model: Model) -> list[Class]:
    """The classes that get a node shape: the ontology's own classes."""
    return [cls for cls in model.classes.values() if model.own(cls.uri) and cls.form != "custom"]


def _constraints(model: Model, cls: Class, slot: Slot) -> list[tuple[str, str]]:
    """The SHACL constraints of one slot's values (without the path)."""
    inner = model.range_class(slot)
    pairs: list[tuple[str, str]] = []
    if inner is not None and inner.form == "langstring":
        required = sum(1 for language in inner.slots if language.required)
        if slot.minimum:
            pairs.append(("sh:minCount", str(required or 1)))
        if not slot.multivalued:
            pairs.append(("sh:maxCount", str(len(inner.slots))))
        pairs.append(("sh:datatype", "rdf:langString"))
        if not slot.multivalued:  # several values (alternative labels) may share a language
            pairs.append(("sh:uniqueLang", "true"))
        pairs.append(("sh:languageIn", "( " + " ".join(_text(s.key) for s in inner.slots) + " )"))
        return pairs
    if slot.minimum:
        pairs.append(("sh:minCount", str(slot.minimum)))
    if not slot.multivalued:
        pairs.append(("sh:maxCount", "1"))
    if slot.scheme is not None:
        pairs.append(("sh:class", "skos:Concept"))
        if slot.concept_type:
            pairs.append(("sh:class", slot.concept_type))
        pairs.append(("sh:node", f"[ sh:property [ sh:path skos:inScheme ; sh:hasValue pgid:{slot.scheme} ] ]"))
    elif slot.range and all(name in model.classes for name in slot.range):
        classes = [model.classes[name] for name in slot.range]
        if inner is not None and inner.form == "evidence":
            pairs.append(("sh:class", inner.uri))  # type: ignore[arg-type]
        elif any(c.abstract for c in classes):
            pairs.append(("sh:nodeKind", "sh:IRI"))
        elif len(classes) == 1:
            pairs.append(("sh:class", classes[0].uri))  # type: ignore[arg-type]
        else:
            pairs.append(("sh:or", "( " + " ".join(f"[ sh:class {c.uri} ]" for c in classes) + " )"))
    elif slot.range[0] in model.enums:
        pairs.append(("sh:in", "( " + " ".join(_text(v) for v in model.enums[slot.range[0]].permissible) + " )"))
    elif slot.range[0] == "quote":
        pairs.append(("sh:class", model.classes["Evidence"].uri))  # type: ignore[arg-type]
    else:
        data_type = model.types[slot.range[0]]
        if slot.lang:
            pairs += [("sh:datatype", "rdf:langString"), ("sh:languageIn", f"( {_text(slot.lang)} )")]
        elif len(data_type.datatypes) == 1:
            pairs.append(("sh:datatype", data_type.datatypes[0]))
        else:
            pairs.append(("sh:or", "( " + " ".join(f"[ sh:datatype {d} ]" for d in data_type.datatypes) + " )"))
        if data_type.pattern and data_type.base != "date":
            pairs.append(("sh:pattern", _text(data_type.pattern)))
        if data_type.min_length:
            pairs.append(("sh:minLength", str(data_type.min_length)))
        if data_type.minimum is not None:
            pairs.append(("sh:minInclusive", str(data_type.minimum)))
    return pairs


def property_shapes(model: Model, cls: Class) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(shape name, path, constraints) for every predicate of every slot of a class."""
    shapes = []
    for slot in cls.slots:
        for index, predicate in enumerate(slot.predicates):
            name = f"pgs:{cls.name}-{slot.name}" + (f"-{index + 1}" if index else "")
            pairs = _constraints(model, cls, slot)
            if slot.message:
                pairs.append(("sh:message", _text(slot.message)))
            shapes.append((name, predicate, pairs))
    if cls.in_scheme:
        shapes.append((f"pgs:{cls.name}-in-scheme", "skos:inScheme",
                       [("sh:minCount", "1"), ("sh:hasValue", f"pgid:{cls.in_scheme}")]))
    return shapes


def shapes_turtle(model: Model, extra: str = "") -> str:
    """The SHACL shapes: one node shape per class, one property shape per slot; then ``extra``."""
    parts = [
        f"# {NOTICE}\n#\n# SHACL shapes for the practice graph: one node shape per class of the model, one property\n"
        f"# shape per slot. The build refuses a graph that does not conform. Hand-written shapes for\n"
        f"# what the model cannot say follow at the end, copied from ontology/{EXTRA_SHAPES_FILE}.\n\n",
        _prefix_lines(model, ("sh", model.ontology.prefix, "pgs", "pgid", "rdf", "rdfs", "xsd", "skos", "dcterms",
                              "org", "prov", "oa", "eli", "schema", "owl")),
    ]
    for cls in shaped_classes(model):
        shapes = property_shapes(model, cls)
        parts.append(f"\n# ------------------------------------------------------------------ {cls.name}\n\n")
        parts.append(_statement(f"pgs:{cls.name}", [
            ("a", "sh:NodeShape"), ("sh:targetClass", cls.uri),  # type: ignore[list-item]
            ("sh:property", " ,\n        ".join(name for name, _, _ in shapes)),
        ]))
        for name, path, pairs in shapes:
            parts.append(_statement(name, [("a", "sh:PropertyShape"), ("sh:path", path), *pairs]))
    if extra:
        parts.append(f"\n# {'=' * 66} ontology/{EXTRA_SHAPES_FILE}\n\n")
        parts.append(extra)
    return "".join(parts)


# ---------------------------------------------------------------------------- the pg: namespace
def prefixes_python(model: Model) -> str:
    """``core/prefixes.py``: the namespaces of the graph and the prefixes every output binds, as plain
    strings (no import: the views read them without rdflib)."""
    namespaces = "".join(f"    {json.dumps(name)}: {json.dumps(p.iri)},\n" for name, p in model.prefixes.items())
    bound = "".join(f"    {json.dumps(name)},\n" for name, prefix in model.prefixes.items() if prefix.bind)
    return (
        '"""The namespaces of the graph, as strings, and the prefixes every output binds.\n\n'
        f"{NOTICE}\n"
        '"""\n\n'
        f"NAMESPACES: dict[str, str] = {{\n{namespaces}}}\n"
        f"# bound in every output, in this order\nBOUND: tuple[str, ...] = (\n{bound})\n"
    )


def vocab_python(model: Model) -> str:
    """``core/vocab.py``: the closed ``pg:`` namespace (rdflib DefinedNamespace), with the prefixes of
    ``core/prefixes.py``."""
    own = model.ontology.prefix
    terms: dict[str, str] = {}
    for cls in model.classes.values():
        if model.own(cls.uri):
            terms[cls.uri.split(":", 1)[1]] = f"{cls.label.zh} {cls.label.en}"  # type: ignore[union-attr]
    for slot in own_properties(model):
        terms.setdefault(slot.uri.split(":", 1)[1], f"{slot.label.zh} {slot.label.en}")  # type: ignore[union-attr]
    lines = "".join(f"    {term}: URIRef = _NS[{json.dumps(term)}]  # {comment}\n" for term, comment in terms.items())
    return (
        f'"""The namespaces of the graph and the closed ``{own}:`` vocabulary.\n\n'
        f"{NOTICE}\n"
        f'A term of ``{own}:`` that the model does not declare raises AttributeError where it is used.\n"""\n\n'
        "from rdflib import Namespace, URIRef\n"
        "from rdflib.namespace import DefinedNamespace\n\n"
        "from practice_graph.core.prefixes import BOUND, NAMESPACES\n\n"
        '__all__ = ["BOUND", "NAMESPACES", "PG"]\n\n\n'
        f"class PG(DefinedNamespace):\n"
        f'    """{own}: the practice-graph ontology (every class and property of the model)."""\n\n'
        "    _fail = True\n"
        f"    _NS = Namespace({json.dumps(model.prefixes[own].iri)})\n\n"
        f"{lines}"
    )


# ---------------------------------------------------------------------------- inventory.rq
def inventory_classes(model: Model) -> str:
    """The VALUES lines of inventory.rq: the record classes that are entities."""
    names = [cls.uri or "" for cls in model.records() if cls.inventory]
    lines = [" ".join(names[start : start + 7]) for start in range(0, len(names), 7)]
    return "".join(f"    {line}\n" for line in lines)


# ---------------------------------------------------------------------------- data/README.md
def _keys(cls: Class) -> str:
    return "{" + ", ".join(s.key + ("" if s.required else "?") for s in cls.slots if not s.derived) + "}"


def _values(model: Model, slot: Slot) -> str:
    """What a field holds, for people."""
    def a(name: str) -> str:
        return ("an " if name[0] in "AEIOU" else "a ") + name

    if slot.scheme is not None:
        text = f"a concept of `{slot.scheme}`"
    elif model.is_reference(slot):
        kinds = a(" or ".join(slot.range)) if slot.range != ("Record",) else "any record"
        text = f"{_keys(model.classes['Link'])}: {kinds}" if slot.quoted else f"id of {kinds}"
    elif (inner := model.range_class(slot)) is not None:
        text = _keys(inner)
    elif slot.range[0] in model.enums:
        text = " \\| ".join(f"`{value}`" for value in model.enums[slot.range[0]].permissible)
    else:
        text = f"{slot.range[0]}" + (f" (@{slot.lang})" if slot.lang else "")
    return f"list of {text}" if slot.multivalued else text


def _required(slot: Slot) -> str:
    if slot.multivalued:
        return f"≥ {slot.minimum}" if slot.minimum else ""
    if slot.required:
        return "yes"
    return f"default {str(slot.default).lower()}" if slot.default is not None else ""


def _table(model: Model, cls: Class, title: str, skip: tuple[Slot, ...] = ()) -> str:
    """A class's fields as a Markdown table (``skip``: inherited fields used as declared)."""
    rows = [f"#### {title}\n\n{cls.definition}\n\n",
            "| field | required | value | RDF | meaning |\n|---|---|---|---|---|\n"]
    for slot in cls.slots:
        if slot.derived or slot in skip:
            continue
        rdf = ", ".join(f"`{p}`" for p in slot.predicates) or "—"
        if cls.form == "langstring":
            rdf = f"language tag `@{slot.key}`"
        rows.append(f"| `{slot.key}` | {_required(slot)} | {_values(model, slot)} | {rdf} | {slot.definition} |\n")
    return "".join(rows)


def readme_fields(model: Model) -> str:
    """The field tables of data/README.md: every record's fields, one table per record kind (its own
    fields, and the common ones where it uses them differently), then the items inside records."""
    record = model.classes["Record"]
    parts = [f"<!-- {NOTICE} -->\n\n"
             "Every field of every file, as the model declares it (`src/practice_graph/model/schema.yaml`).\n"
             "Required: `yes` the field must be given; `≥ n` the list needs n items.\n\n",
             _table(model, record, "Every record") + "\n"]
    for cls in model.records():
        where = f"`{cls.file}`" + (f", `{cls.key}:`" if cls.key else "")
        parts.append(_table(model, cls, f"{where}: {cls.name} ({cls.label.zh})", record.slots) + "\n")
    for cls in model.classes.values():
        if cls.file and not model.is_record(cls):
            parts.append(_table(model, cls, f"`{cls.file}`: {cls.name} ({cls.label.zh})") + "\n")
    for cls in model.classes.values():
        if not cls.file and not cls.abstract and not model.is_record(cls):
            parts.append(_table(model, cls, f"{cls.name} ({cls.label.zh}), inside records") + "\n")
    parts.append("Enumerations:\n\n")
    for enum in model.enums.values():
        values = "; ".join(f"`{v.value}`: {v.meaning}" for v in enum.values)
        parts.append(f"- {enum.name} ({enum.label.zh}): {values}.\n")
    return "".join(parts)


def _between(text: str, begin: str, end: str, body: str, where: Path) -> str:
    """``text`` with the part between the marker lines replaced by ``body``."""
    try:
        head, rest = text.split(begin, 1)
        _, tail = rest.split(end, 1)
    except ValueError:
        raise SystemExit(f"{where}: markers {begin!r} ... {end!r} not found") from None
    indent = head[head.rfind("\n") + 1 :]
    return f"{head}{begin}\n{body}{indent}{end}{tail}"


# ---------------------------------------------------------------------------- the files
def generated_files(model: Model | None = None, ontology_dir: Path = DEFAULT_ONTOLOGY) -> dict[Path, str]:
    """Every generated file's path and the text it should hold."""
    model = model or load_model()
    extra = (ontology_dir / EXTRA_SHAPES_FILE).read_text(encoding="utf-8")
    readme = README_FILE.read_text(encoding="utf-8")
    inventory = INVENTORY_FILE.read_text(encoding="utf-8")
    return {
        ontology_dir / ONTOLOGY_FILE: ontology_turtle(model),
        ontology_dir / SHAPES_FILE: shapes_turtle(model, extra),
        PREFIXES_FILE: prefixes_python(model),
        VOCAB_FILE: vocab_python(model),
        README_FILE: _between(readme, README_BEGIN, README_END, "\n" + readme_fields(model), README_FILE),
        INVENTORY_FILE: _between(inventory, QUERY_BEGIN, QUERY_END, inventory_classes(model), INVENTORY_FILE),
    }


def stale_files(files: dict[Path, str]) -> list[Path]:
    """The generated files whose content differs from what the model gives."""
    return [path for path, text in files.items()
            if not path.is_file() or path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    """Rewrite the stale generated files (``--check``: only name them, exit 1 if any)."""
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    args = parser.parse_args(argv)
    files = generated_files()
    stale = stale_files(files)
    if args.check:
        for path in stale:
            print(f"{path}: stale, run {COMMAND}", file=sys.stderr)
        return 1 if stale else 0
    from practice_graph.core.files import write_atomically

    for path in stale:
        write_atomically(path, files[path].encode("utf-8"))
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
