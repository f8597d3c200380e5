"""RDFC-1.0 (https://www.w3.org/TR/rdf-canon/) for the common case where every
blank node's first-degree hash differs, on quads already written in canonical
N-Quads form but for their blank node labels.

The labels of blank nodes depend only on the quads that hold them (section
4.4.3): with every first-degree hash (4.6) different, each blank node gets
c14n<i> in the order of its hash (4.4.3 step 5), and nothing else is needed.
Otherwise the caller canonicalizes the full way.
"""

import hashlib


def labelled_quads(quads: list[str], labels: list[tuple[str, ...]]) -> list[str] | None:
    """The quads with canonical blank node labels, without their " .", or None
    if two blank nodes have the same first-degree hash.

    Each quad is a canonical N-Quads line (ending " .") where each blank node
    is a marker that occurs nowhere else; `labels` gives each quad's markers.
    Repeated quads count once, as in a dataset.
    """
    unique: dict[str, tuple[str, ...]] = dict(zip(quads, labels, strict=True))
    # Hash First Degree Quads (4.6): each blank node's quads, itself _:a and
    # every other blank node _:z, sorted, one a line.
    held: dict[str, list[str]] = {}
    for quad, markers in unique.items():
        if len(markers) == 1:
            held.setdefault(markers[0], []).append(quad.replace(markers[0], "_:a"))
            continue
        for marker in set(markers):
            written = quad
            for other in markers:
                written = written.replace(other, "_:a" if other == marker else "_:z")
            held.setdefault(marker, []).append(written)
    hashes = {
        marker: hashlib.sha256(
            ("\n".join(sorted(written)) + "\n").encode("utf-8")
        ).hexdigest()
        for marker, written in held.items()
    }
    if len(set(hashes.values())) != len(hashes):
        return None
    names = {
        marker: f"_:c14n{number}"
        for number, marker in enumerate(sorted(hashes, key=hashes.__getitem__))
    }
    labelled = []
    for quad, markers in unique.items():
        for marker in markers:
            quad = quad.replace(marker, names[marker])
        labelled.append(quad[:-2])
    return labelled
