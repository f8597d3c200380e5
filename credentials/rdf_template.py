"""The RDF of a JSON-LD document from a template kept for its shape.

Expanding a credential and turning it into RDF (pyld) is most of a signature, yet
every award of one module has the same shape: the same keys, contexts and types,
only other strings. So the N-Quads pyld writes for a shape are kept once, with a
placeholder IRI where each string was, and the next document of that shape gets
its strings put back in their places as pyld itself writes them: a literal
escaped as pyld escapes it, an IRI as it is, and only an IRI that pyld would have
left as it is (an absolute IRI whose scheme no context of the document defines as
a term). Anything else goes the slow way (jsonld.to_nquads), as does a shape
whose placeholders pyld changed in any way (a language tag, a JSON literal, a
double), so the N-Quads are the same lines pyld writes for the document, in
another order and perhaps repeated where two nodes share an @id, which pyld
merges: the same RDF dataset. The caller checks that once per template as well
(canonical.canonical_nquads).

What a shape keeps as it is: every key, every number, boolean and null, and the
values of @context, type, @type, @language, @direction, @vocab and @base. A
template is made from its shape alone (placeholders, never a document's own
strings), and the placeholders carry a secret drawn when the process starts, so
that no document can spell one.
"""

import itertools
import json
import logging
import operator
import re
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph
from pyld.nquads import escape

from credentials import jsonld, rdfc

logger = logging.getLogger(__name__)

_SECRET = secrets.token_hex(12)
_PLACEHOLDER = f"urn:x-cairn-{_SECRET}:"
_KEPT_KEYS = frozenset(
    {"@context", "type", "@type", "@language", "@direction", "@vocab", "@base"}
)
# pyld turns a string typed xsd:double that reads as a number into a double.
_XSD_DOUBLE = "^^<http://www.w3.org/2001/XMLSchema#double>"
# A placeholder as a whole IRI, or as a whole literal (the object of a quad).
_SLOT = re.compile(
    rf"<({re.escape(_PLACEHOLDER)}(\d+))>|(?<= )\"({re.escape(_PLACEHOLDER)}(\d+))\""
)
# What RDFC-1.0 (pyoxigraph) or pyld write otherwise in a literal, and what
# neither can write (lone surrogates).
_ESCAPED = re.compile(r'[\x00-\x1f"\\\x7f\ufffe\uffff\ud800-\udfff]')
# A blank node label as pyld writes it, as a term of an N-Quads line.
_BLANK = re.compile(r"(?:^|(?<= ))_:([A-Za-z0-9]+)(?= )")
# An absolute IRI (RFC 3987 scheme) with nothing N-Quads or pyld would read
# otherwise: no white space, control characters or the characters IRIs exclude.
_PLAIN_IRI = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):[^\s\x00-\x20<>\"{}|\\^`\x7f]*")

# Tokens of a shape besides keys, kept strings and integers.
_MAP, _LIST, _END, _STRING = object(), object(), object(), object()
_TRUE, _FALSE, _FLOAT, _STRINGS, _JSON = (object() for _ in range(5))
_MISSING = object()

_TEMPLATES_MAX = 256
_SIGHTINGS_MAX = 1024


class _Text:
    """Text with strings to put in: constant pieces and string numbers between."""

    __slots__ = ("pieces", "_numbers", "_size")

    def __init__(self, pieces: list[str], numbers: list[int]) -> None:
        self.pieces = pieces  # one more than numbers
        self._numbers = operator.itemgetter(*numbers) if numbers else None
        self._size = 2 * len(numbers) + 1

    def __call__(self, strings: list[str]) -> str:
        if self._numbers is None:
            return self.pieces[0]
        parts = [""] * self._size
        parts[0::2] = self.pieces
        parts[1::2] = (
            self._numbers(strings) if self._size > 3 else [self._numbers(strings)]
        )
        return "".join(parts)


@dataclass(eq=False)
class Template:
    """N-Quads of one shape, with the places of its strings."""

    key: "Shape" = field(repr=False)
    whole: _Text  # every line
    # Lines without blank nodes that RDFC-1.0 writes as pyld does when their
    # strings need no escaping (one a line), and the other lines.
    as_written: _Text
    others: _Text
    # Where every line but those is a blank node's, written as RDFC-1.0 writes
    # it (blank nodes aside), those lines with markers for their blank nodes,
    # and the markers of each line (rdfc.labelled_quads).
    blank: _Text | None
    blank_markers: list[tuple[str, ...]] = field(repr=False)
    iris: tuple[int, ...]  # strings written as IRIs
    literals: tuple[int, ...]  # strings written as literals
    terms: frozenset[str] = field(repr=False)  # every term of its contexts
    blank_graphs: bool  # a graph is named by a blank node
    confirmed: bool = False  # the caller saw it give a document's own dataset


@dataclass(frozen=True)
class Filled:
    """A document's RDF from its shape's template: its quads without blank nodes
    already in canonical form (without " .\n"), and the rest as N-Quads."""

    template: Template
    canonical: set[str]
    nquads: str


class _NoShape(Exception):
    pass


class Shape:
    """A document's shape as a dictionary key (its tokens, hashed once)."""

    __slots__ = ("tokens", "_hash")

    def __init__(self, tokens: tuple) -> None:
        self.tokens = tokens
        self._hash = hash(tokens)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Shape) and (
            self is other or (self._hash == other._hash and self.tokens == other.tokens)
        )


_templates: OrderedDict[Shape, Template | None] = OrderedDict()
_sightings: OrderedDict[Shape, None] = OrderedDict()
_lock = threading.Lock()


def _kept(value: Any) -> Any:
    if type(value) is str:
        return value
    if type(value) is list and all(type(item) is str for item in value):
        return (_STRINGS, *value)
    try:
        return (_JSON, json.dumps(value, ensure_ascii=False))
    except (TypeError, ValueError):
        raise _NoShape from None


def _walk(node: Any, tokens: list, strings: list[str]) -> None:
    kind = type(node)
    if kind is dict:
        tokens.append(_MAP)
        for key, value in node.items():
            if type(key) is not str:
                raise _NoShape
            tokens.append(key)
            if key in _KEPT_KEYS:
                tokens.append(_kept(value))
            elif type(value) is str:
                tokens.append(_STRING)
                strings.append(value)
            else:
                _walk(value, tokens, strings)
        tokens.append(_END)
    elif kind is list:
        tokens.append(_LIST)
        for item in node:
            if type(item) is str:
                tokens.append(_STRING)
                strings.append(item)
            else:
                _walk(item, tokens, strings)
        tokens.append(_END)
    elif kind is int or node is None:
        tokens.append(node)
    elif kind is float:
        tokens.append((_FLOAT, repr(node)))  # 1.0 is not 1, -0.0 is not 0.0
    elif kind is bool:
        tokens.append(_TRUE if node else _FALSE)
    elif isinstance(node, str):
        tokens.append(_STRING)
        strings.append(node)
    else:
        raise _NoShape


def shape(document: dict[str, Any]) -> tuple[Shape, list[str]] | None:
    """(the document's shape, its strings in order), or None for a document that
    is not plain JSON."""
    tokens: list = []
    strings: list[str] = []
    try:
        _walk(document, tokens, strings)
    except (_NoShape, RecursionError):
        return None
    return Shape(tuple(tokens)), strings


def _with_placeholders(node: Any, numbers: itertools.count) -> Any:
    # The same order as _walk.
    if isinstance(node, dict):
        return {
            key: value if key in _KEPT_KEYS else _with_placeholders(value, numbers)
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_with_placeholders(item, numbers) for item in node]
    if isinstance(node, str):
        return f"{_PLACEHOLDER}{next(numbers)}"
    return node


def _contexts(node: Any) -> list[Any]:
    if isinstance(node, list):
        return [found for item in node for found in _contexts(item)]
    if not isinstance(node, dict):
        return []
    found = [node["@context"]] if "@context" in node else []
    return found + [
        inner
        for key, value in node.items()
        if key != "@context"
        for inner in _contexts(value)
    ]


def _terms(context: Any, loaded: set[str]) -> set[str]:
    """Every key of a context, its scoped contexts and the contexts it loads:
    more than the terms in force anywhere in the document, never fewer."""
    if isinstance(context, list):
        return {term for item in context for term in _terms(item, loaded)}
    if isinstance(context, str):
        if context in loaded:
            return set()
        loaded.add(context)
        remote = jsonld.document_loader(context)["document"]
        return _terms(
            remote.get("@context") if isinstance(remote, dict) else None, loaded
        )
    if not isinstance(context, dict):
        return set()
    terms = set(context)
    for key, definition in context.items():
        if key == "@import":
            terms |= _terms(definition, loaded)
        elif isinstance(definition, dict):
            terms |= _terms(definition.get("@context"), loaded)
    return terms


def _has_index(node: Any) -> bool:
    # pyld refuses two nodes with one @id and different @index values, which
    # placeholders (a different @id each) would hide.
    if isinstance(node, list):
        return any(_has_index(item) for item in node)
    return isinstance(node, dict) and (
        "@index" in node or any(_has_index(value) for value in node.values())
    )


def _build(key: Shape, document: dict[str, Any], count: int) -> Template | None:
    """The template of a document's shape, or None if the shape has none."""
    stand_in = _with_placeholders(document, itertools.count())
    if json.dumps(stand_in, ensure_ascii=False).count(_SECRET) != count:
        return None
    try:
        nquads, expanded = jsonld.to_nquads_and_expanded(stand_in)
        terms = frozenset(_terms(_contexts(stand_in), set()))
        lines = nquads.split("\n")[:-1]
        quads = [_one_quad(line) for line in lines]
    except Exception as error:  # the slow way meets it again with the real values
        logger.debug("no RDF template for a document shape: %r", error)
        return None
    if _has_index(expanded):
        return None
    if len(_SLOT.findall(nquads)) != nquads.count(_SECRET):
        return None  # a placeholder changed by pyld, or inside another term
    kinds: dict[int, bool] = {}  # string number -> written as an IRI
    cut_lines, as_written, blank_lines = [], [], []
    for line, quad in zip(lines, quads, strict=True):
        pieces, numbers, start = [], [], 0
        for match in _SLOT.finditer(line):
            is_iri = match.group(1) is not None
            group = 1 if is_iri else 3
            number = int(match.group(group + 1))
            if number >= count or kinds.setdefault(number, is_iri) != is_iri:
                return None
            if not is_iri and line.startswith(_XSD_DOUBLE, match.end()):
                return None
            pieces.append(line[start : match.start(group)])
            numbers.append(number)
            start = match.end(group)
        pieces.append(line[start:])
        cut_lines.append((pieces, numbers))
        blanks = sum(isinstance(term, pyoxigraph.BlankNode) for term in quad)
        as_written.append(not blanks and f"{quad} ." == line)
        if blanks:
            # pyoxigraph names blank nodes its own way: compare the rest.
            markers = tuple(f"\x00{label}\x00" for label in _BLANK.findall(line))
            same = len(markers) == blanks and (
                _BLANK.sub("_:", line) == _BLANK.sub("_:", f"{quad} .")
            )
            pieces = [_BLANK.sub("\x00\\1\x00", piece) for piece in pieces]
            blank_lines.append(((pieces, numbers), markers) if same else None)
    blank = None
    if all(blank_lines) and len(blank_lines) + sum(as_written) == len(lines):
        blank = _joined([cut for cut, _ in blank_lines], "\n", "")
    return Template(
        key=key,
        whole=_joined(cut_lines, "\n", "\n"),
        as_written=_joined(  # without the " ." that ends each line
            [
                (pieces[:-1] + [pieces[-1][:-2]], numbers)
                for (pieces, numbers), plain in zip(cut_lines, as_written, strict=True)
                if plain
            ],
            "\n",
            "",
        ),
        others=_joined(
            [
                cut
                for cut, plain in zip(cut_lines, as_written, strict=True)
                if not plain
            ],
            "\n",
            "\n",
        ),
        iris=tuple(sorted(number for number, iri in kinds.items() if iri)),
        literals=tuple(sorted(number for number, iri in kinds.items() if not iri)),
        terms=terms,
        blank_graphs=any(
            isinstance(quad.graph_name, pyoxigraph.BlankNode) for quad in quads
        ),
        blank=blank,
        blank_markers=[markers for _, markers in blank_lines] if blank else [],
    )


def _joined(
    cut_lines: list[tuple[list[str], list[int]]], between: str, end: str
) -> _Text:
    """Cut lines joined into one text, `between` them and `end` after the last."""
    pieces, numbers = [""], []
    for index, (line_pieces, line_numbers) in enumerate(cut_lines):
        pieces[-1] += (between if index else "") + line_pieces[0]
        pieces += line_pieces[1:]
        numbers += line_numbers
    if cut_lines:
        pieces[-1] += end
    return _Text(pieces, numbers)


def _one_quad(line: str) -> pyoxigraph.Quad:
    (quad,) = pyoxigraph.parse(line + "\n", format=pyoxigraph.RdfFormat.N_QUADS)
    return quad


def _template(key: Shape, document: dict[str, Any], count: int) -> Template | None:
    with _lock:
        template = _templates.get(key, _MISSING)
        if template is not _MISSING:
            _templates.move_to_end(key)
            return template
        # Made at a shape's second sighting: a shape seen once (an outside
        # credential to verify) costs no more than the slow way.
        if key not in _sightings:
            _sightings[key] = None
            if len(_sightings) > _SIGHTINGS_MAX:
                _sightings.popitem(last=False)
            return None
    template = _build(key, document, count)
    with _lock:
        _sightings.pop(key, None)
        _templates[key] = template
        if len(_templates) > _TEMPLATES_MAX:
            _templates.popitem(last=False)
    return template


# IRI -> its scheme, or None if it is not one for templates; bounded.
_IRI_SCHEMES: dict[str, str | None] = {}
_IRI_SCHEMES_MAX = 4096


def _scheme(value: str) -> str | None:
    scheme = _IRI_SCHEMES.get(value, _MISSING)
    if scheme is not _MISSING:
        return scheme
    match = _PLAIN_IRI.fullmatch(value)
    scheme = match and match.group(1)
    if scheme:
        try:
            pyoxigraph.NamedNode(value)  # RFC 3987, as pyoxigraph parses N-Quads
        except ValueError:
            scheme = None
    if len(_IRI_SCHEMES) >= _IRI_SCHEMES_MAX:
        _IRI_SCHEMES.clear()
    _IRI_SCHEMES[value] = scheme
    return scheme


def fill(document: dict[str, Any]) -> Filled | None:
    """The document's RDF from its shape's template (lines perhaps repeated),
    or None where it must go the slow way."""
    found = shape(document)
    if found is None:
        return None
    key, strings = found
    template = _template(key, document, len(strings))
    if template is None:
        return None
    terms = template.terms
    for number in template.iris:
        value = strings[number]
        scheme = _scheme(value)
        if scheme is None or scheme in terms or value in terms:
            return None
    literals = template.literals
    if template.blank_graphs or _ESCAPED.search(
        "".join([strings[number] for number in literals])
    ):
        for number in literals:
            strings[number] = escape(strings[number])  # as pyld writes it
        return Filled(template, set(), template.whole(strings))
    canonical = set(template.as_written(strings).split("\n"))
    canonical.discard("")  # no such lines
    if template.blank is not None:
        lines = template.blank(strings).split("\n") if template.blank_markers else []
        labelled = rdfc.labelled_quads(lines, template.blank_markers)
        if labelled is not None:
            canonical.update(labelled)
            return Filled(template, canonical, "")
    return Filled(template, canonical, template.others(strings))


def confirm(template: Template, same: bool) -> None:
    """Record whether a template gave the same dataset as the slow way; one that
    did not is never used again."""
    if same:
        template.confirmed = True
        return
    logger.warning(
        "an RDF template gave another dataset than pyld; its document shape "
        "goes the slow way from now on"
    )
    with _lock:
        _templates[template.key] = None


def clear() -> None:
    """Forget every template and sighting."""
    with _lock:
        _templates.clear()
        _sightings.clear()
