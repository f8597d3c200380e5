"""Offline JSON-LD processing over the contexts vendored in credentials/contexts/.

Signing must never depend on the network: a context fetched at signing time could
change what is signed, and a down purl.imsglobal.org would stop issuing. Only the
contexts listed in VENDORED_CONTEXTS are ever loaded; anything else is refused.
"""

import copy
import functools
import json
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pyld import jsonld

CONTEXTS_DIR = Path(__file__).resolve().parent / "contexts"

# Context URL -> file in CONTEXTS_DIR (provenance in contexts/README.md).
VENDORED_CONTEXTS: dict[str, str] = {
    "https://www.w3.org/ns/credentials/v2": "credentials-v2.jsonld",
    "https://w3id.org/security/data-integrity/v1": "data-integrity-v1.jsonld",
    "https://w3id.org/security/data-integrity/v2": "data-integrity-v2.jsonld",
    "https://w3id.org/security/multikey/v1": "multikey-v1.jsonld",
    "https://www.w3.org/ns/did/v1": "did-v1.jsonld",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json": "ob-v3p0.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json": "ob-v3p0-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json": "ob-v3p0-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json": "ob-v3p0-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json": (
        "ob-v3p0-extensions.json"
    ),
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json": (
        "clr-v2p0-2.0.1.json"
    ),
    "https://purl.imsglobal.org/spec/clr/v2p0/context.json": "clr-v2p0.json",
    "https://www.w3.org/2018/credentials/v1": "2018-credentials-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2020/v1": (
        "security-suites-ed25519-2020-v1.jsonld"
    ),
    "https://www.w3.org/ns/credentials/status/v1": (
        "vc-bitstring-status-list-v1.jsonld"
    ),
    "https://w3id.org/vc/status-list/2021/v1": "vc-status-list-v1.jsonld",
    "https://w3id.org/security/suites/ed25519-2018/v1": (
        "security-suites-ed25519-2018-v1.jsonld"
    ),
    # The W3C test suites' example credentials (only an @vocab).
    "https://www.w3.org/ns/credentials/examples/v2": "credentials-examples-v2.jsonld",
}

# RFC 3987 scheme, or a blank node label; same test as jsonld.js's isAbsoluteIri.
_ABSOLUTE_IRI = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.\-]*|_):\S*$")


class ContextNotVendoredError(Exception):
    """A document referenced a JSON-LD context that is not shipped with Cairn."""

    def __init__(self, url: str) -> None:
        super().__init__(
            f"JSON-LD context {url!r} is not vendored in {CONTEXTS_DIR}; "
            "contexts are never fetched from the network"
        )
        self.url = url


class UndefinedTermsError(ValueError):
    """A document uses terms or IRIs that its @context does not define."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("document has undefined JSON-LD terms: " + "; ".join(problems))
        self.problems = tuple(problems)


@functools.cache
def _context_text(filename: str) -> str:
    return (CONTEXTS_DIR / filename).read_text(encoding="utf-8")


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader that serves only vendored contexts."""
    try:
        filename = VENDORED_CONTEXTS[url]
    except KeyError:
        raise ContextNotVendoredError(url) from None
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        # A fresh object each call: pyld may rewrite relative URLs inside it.
        "document": json.loads(_context_text(filename)),
        # "static" lets pyld keep the resolved context in its process-wide cache,
        # which takes about a third off each signature (PITFALLS.md).
        "tag": "static",
    }


def _options() -> dict[str, Any]:
    # base None, as jsonld.js uses for credentials: pyld's default ("") resolves a
    # relative IRI against http://example.org/base/, which would hide it from the
    # check below and sign a different IRI than JavaScript verifiers compute.
    return {"documentLoader": document_loader, "base": None}


def _not_vendored_cause(error: BaseException) -> ContextNotVendoredError | None:
    seen: BaseException | None = error
    while seen is not None:
        if isinstance(seen, ContextNotVendoredError):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _relative_iris(node: Any, path: str) -> Iterator[str]:
    """Yield every relative IRI left in an expanded document."""
    if isinstance(node, list):
        for item in node:
            yield from _relative_iris(item, path)
        return
    if not isinstance(node, dict):
        return
    if "@value" in node:
        datatype = node.get("@type")
        if isinstance(datatype, str) and not _ABSOLUTE_IRI.match(datatype):
            yield f"{path}: datatype {datatype!r}"
        return
    node_id = node.get("@id")
    if isinstance(node_id, str) and not _ABSOLUTE_IRI.match(node_id):
        yield f"{path}: @id {node_id!r}"
    for type_iri in node.get("@type", ()):
        if not _ABSOLUTE_IRI.match(type_iri):
            yield f"{path}: type {type_iri!r}"
    for key, value in node.items():
        if not key.startswith("@"):
            yield from _relative_iris(value, f"{path}/{re.split('[#/]', key)[-1]}")
        elif key in ("@list", "@set", "@graph", "@included", "@reverse"):
            yield from _relative_iris(value, path)


# Active contexts processed before, shared by every processor in the process:
# (id of the active context, the local context as JSON, flags) -> (the active
# context, the result). The active context is kept so that its id cannot be
# reused by another object while the entry lives.
_PROCESSED_CONTEXTS: OrderedDict[tuple, tuple[Any, Any]] = OrderedDict()
_PROCESSED_CONTEXTS_MAX = 2048
_processed_lock = threading.Lock()


def _local_context_key(local_ctx: Any) -> str:
    # By value, never by id: a caller may change a context object between calls.
    return json.dumps(local_ctx, sort_keys=True, separators=(",", ":"))


class _Processor(jsonld.JsonLdProcessor):
    """Keeps the expanded form that to_rdf computes internally, and remembers
    processed contexts across documents.

    Expansion is most of the cost of a signature; keeping it lets to_nquads check
    terms without expanding the document a second time. pyld caches a processed
    context by the id it gives the active context, but a type-scoped context (Open
    Badges 3.0 has one per type) is applied to a fresh copy each time, so it is
    processed again for every typed node of every document: about two thirds of a
    signature. Processed contexts are never changed once made (pyld shares them
    through its own cache too), so the same inputs may share one result.
    """

    expanded: list[Any] | None = None

    def expand(self, input_: Any, options: dict[str, Any]) -> list[Any]:
        self.expanded = super().expand(input_, options)
        return self.expanded

    def _process_context(
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        key = (
            id(active_ctx),
            _local_context_key(local_ctx),
            options.get("base"),
            override_protected,
            propagate,
            validate_scoped,
        )
        with _processed_lock:
            hit = _PROCESSED_CONTEXTS.get(key)
            if hit is not None and hit[0] is active_ctx:
                _PROCESSED_CONTEXTS.move_to_end(key)
                return hit[1]
        result = super()._process_context(
            active_ctx,
            local_ctx,
            options,
            override_protected=override_protected,
            propagate=propagate,
            validate_scoped=validate_scoped,
            cycles=cycles,
        )
        if cycles is None:  # a top-level call, not one inside a context's import
            with _processed_lock:
                _PROCESSED_CONTEXTS[key] = (active_ctx, result)
                if len(_PROCESSED_CONTEXTS) > _PROCESSED_CONTEXTS_MAX:
                    _PROCESSED_CONTEXTS.popitem(last=False)
        return result


def _run(
    document: dict[str, Any], operation: str, options: dict[str, Any]
) -> tuple[Any, list[Any]]:
    """The operation's output and the expanded document, term-checked."""
    dropped: list[str] = []
    processor = _Processor(
        on_property_dropped=lambda iri: dropped.append(f"property {iri!r}")
    )
    try:
        output = getattr(processor, operation)(document, {**_options(), **options})
    except jsonld.JsonLdError as error:
        cause = _not_vendored_cause(error)
        if cause is not None:
            raise ContextNotVendoredError(cause.url) from error
        raise
    problems = dropped + list(_relative_iris(processor.expanded, ""))
    if problems:
        raise UndefinedTermsError(problems)
    return output, processor.expanded


def expand(document: dict[str, Any]) -> list[Any]:
    """Expand offline, raising UndefinedTermsError where jsonld.js safe mode would.

    pyld has no safe mode: an undefined property is silently dropped and an
    undefined type or relative @id is kept as a relative IRI, so a credential would
    be signed over less than it says, and jsonld.js verifiers (safe mode) would then
    reject it.
    """
    return _run(document, "expand", {})[0]


def check_defined_terms(document: dict[str, Any]) -> None:
    """Raise UndefinedTermsError if any property, type or IRI is left undefined."""
    expand(document)


# JavaScript reads every JSON number as a double: integers past 2**53 lose
# their last digits, and from 1e21 on they are written as doubles.
_JS_EXACT_INTEGER = 2**53
_JS_EXPONENT_FROM = 1e21


def _js_is_double(value: float) -> bool:
    """jsonld.js types.isDouble: String(value) holds a point, or |value| >= 1e21.

    JavaScript writes a number in exponent form below 1e-6; with a one-digit
    mantissa (1e-7) that form has no point, so jsonld.js takes it for an integer.
    """
    if abs(value) >= _JS_EXPONENT_FROM:
        return True
    digits = repr(abs(value)).replace(".", "").split("e")[0].strip("0") or "0"
    return not value.is_integer() and (abs(value) >= 1e-6 or len(digits) > 1)


def _js_number(value: int | float) -> int | float:
    if isinstance(value, int):
        if abs(value) >= _JS_EXPONENT_FROM:
            return float(value)
        return int(float(value)) if abs(value) > _JS_EXACT_INTEGER else value
    if _js_is_double(value):
        return value
    # Number.prototype.toFixed(0): a whole number, or 0 for 1e-7 ("-0" for
    # -1e-7, which no int can say: such a value canonicalizes as "0").
    return int(value)


def _without_default_direction(context: Any) -> Any:
    if isinstance(context, list):
        return [_without_default_direction(item) for item in context]
    if not isinstance(context, dict):
        return context
    return {
        term: (
            {
                **definition,
                "@context": _without_default_direction(definition["@context"]),
            }
            if isinstance(definition, dict) and "@context" in definition
            else definition
        )
        for term, definition in context.items()
        if term != "@direction"
    }


def as_javascript_reads(node: Any) -> Any:
    """The document as jsonld.js, the eddsa-rdfc-2022 reference, reads it.

    Numbers go through JavaScript's doubles (JSON-LD to RDF, section 8.6: the
    canonical lexical form follows from the number's type), and a context's
    default `@direction` is ignored, as jsonld.js 8 does (it honours a term's
    own `@direction` and every `@direction` on a value).
    """
    if isinstance(node, bool):
        return node
    if isinstance(node, int | float):
        return _js_number(node)
    if isinstance(node, list):
        return [as_javascript_reads(item) for item in node]
    if not isinstance(node, dict):
        return node
    return {
        key: (
            _without_default_direction(value)
            if key == "@context"
            else as_javascript_reads(value)
        )
        for key, value in node.items()
    }


def _context_sets_direction(context: Any) -> bool:
    if isinstance(context, list):
        return any(_context_sets_direction(item) for item in context)
    if not isinstance(context, dict):
        return False
    return "@direction" in context or any(
        isinstance(definition, dict)
        and _context_sets_direction(definition.get("@context"))
        for definition in context.values()
    )


def has_default_direction(node: Any) -> bool:
    """Whether a context in the document sets a default `@direction`."""
    if isinstance(node, list):
        for item in node:
            if isinstance(item, dict | list) and has_default_direction(item):
                return True
        return False
    if not isinstance(node, dict):
        return False
    for key, value in node.items():
        if key == "@context":
            if _context_sets_direction(value):
                return True
        elif isinstance(value, dict | list) and has_default_direction(value):
            return True
    return False


_IMMUTABLE = frozenset({str, int, float, bool, type(None)})


def copy_json(node: Any) -> Any:
    """A deep copy of JSON data: new dicts and lists, the same strings and
    numbers (copy.deepcopy for anything else); a third of copy.deepcopy's time."""
    kind = type(node)
    if kind is dict:
        copied = node.copy()
        for key, value in copied.items():
            if type(value) not in _IMMUTABLE:
                copied[key] = copy_json(value)
        return copied
    if kind is list:
        return [item if type(item) in _IMMUTABLE else copy_json(item) for item in node]
    return node if kind in _IMMUTABLE else copy.deepcopy(node)


def to_nquads(document: dict[str, Any]) -> str:
    """Checked, offline RDF dataset of a document as (non-canonical) N-Quads,
    read as jsonld.js reads it (see as_javascript_reads)."""
    return to_nquads_and_expanded(document)[0]


def to_nquads_and_expanded(document: dict[str, Any]) -> tuple[str, list[Any]]:
    """to_nquads, and the expanded document it was made from."""
    document = as_javascript_reads(document)
    # rdfDirection as the eddsa-rdfc-2022 reference canonicalizes (vc-di-eddsa
    # 3.3.1, jsonld.js canonize): without it pyld drops `@direction`, and the
    # signature covers other quads than every other verifier computes.
    return _run(
        document,
        "to_rdf",
        {"format": "application/n-quads", "rdfDirection": "i18n-datatype"},
    )


def canonical_labels(nquads: str) -> str:
    """N-Quads with pyld's URDNA2015 (RDFC-1.0) blank node labels."""
    return jsonld.normalize(
        nquads,
        {
            "algorithm": "URDNA2015",
            "inputFormat": "application/n-quads",
            "format": "application/n-quads",
        },
    )
