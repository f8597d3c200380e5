"""RDFC-1.0 canonical N-Quads of JSON-LD documents, offline and term-checked:
what eddsa-rdfc-2022 and Ed25519Signature2020 proofs sign (vc-di-eddsa 3.3.1).
"""

from collections.abc import Iterable
from typing import Any

import pyoxigraph

from credentials import jsonld, rdf_template


def canonical_nquads(document: dict[str, Any]) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, offline and term-checked.

    The N-Quads come from the template of the document's shape where it has one
    (rdf_template: the same dataset, a tenth of the time), else from pyld, the
    JSON-LD processor; a template's first document goes both ways, and a
    template that gives another canonical form is dropped.
    """
    filled = rdf_template.fill(document)
    if filled is None:
        return canonical_form(jsonld.to_nquads(document))
    template = filled.template
    try:
        fast = templated_canonical_form(filled)
    except (SyntaxError, ValueError):  # the slow way raises it, or not
        fast = None
    if fast is not None and template.confirmed:
        return fast
    slow = canonical_form(jsonld.to_nquads(document))
    if not template.confirmed:
        rdf_template.confirm(template, fast == slow)
    return slow


def templated_canonical_form(filled: rdf_template.Filled) -> str:
    """The canonical form of a document's RDF from its shape's template."""
    return canonical_form(
        filled.nquads,
        blank_graphs=filled.template.blank_graphs,
        canonical=filled.canonical,
    )


def canonical_form(
    nquads: str, *, blank_graphs: bool | None = None, canonical: Iterable[str] = ()
) -> str:
    """RDFC-1.0 canonical form of N-Quads written by pyld (or in its way), with
    `canonical` quads without blank nodes, already written as RDFC-1.0 writes them
    (the labels of blank nodes depend only on the quads that hold them).

    pyld's own canonicalization writes some control characters raw where
    RDFC-1.0 and jsonld.js escape them, so the canonical form comes from
    pyoxigraph, which matched jsonld.js byte for byte (PITFALLS.md).
    """
    if not nquads:
        return "".join(f"{quad} .\n" for quad in sorted(canonical))
    dataset = pyoxigraph.Dataset(
        pyoxigraph.parse(nquads, format=pyoxigraph.RdfFormat.N_QUADS)
    )
    if blank_graphs is None:
        blank_graphs = any(
            isinstance(quad.graph_name, pyoxigraph.BlankNode) for quad in dataset
        )
    if blank_graphs:
        # pyoxigraph 0.5.13 labels blank nodes that name graphs (a proof nested in
        # an endorsement makes one) otherwise than RDFC-1.0 and jsonld.js do, so a
        # genuine 1EdTech credential with endorsements failed to verify. pyld's
        # URDNA2015 labels them as jsonld.js does; pyoxigraph still writes the
        # quads, escaping as RDFC-1.0 asks.
        labelled = jsonld.canonical_labels(nquads)
        dataset = pyoxigraph.Dataset(
            pyoxigraph.parse(labelled, format=pyoxigraph.RdfFormat.N_QUADS)
        )
    else:
        dataset.canonicalize(pyoxigraph.CanonicalizationAlgorithm.RDFC_1_0)
    # Python sorts str by code point, the order RDFC-1.0 asks for; a quad is
    # never a prefix of another where " .\n" would sort otherwise.
    quads = sorted({*map(str, dataset), *canonical})
    return "".join(f"{quad} .\n" for quad in quads)
