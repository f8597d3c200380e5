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
    holding: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for quad, markers in unique.items():
        for marker in set(markers):
            holding.setdefault(marker, []).append((quad, markers))
    hashes: dict[str, str] = {}
    for marker, held in holding.items():
        # Hash First Degree Quads (4.6): this blank node _:a, every other _:z.
        written = []
        for quad, markers in held:
            for other in markers:
                quad = quad.replace(other, "_:a" if other == marker else "_:z")
            written.append(quad + "\n")
        written.sort()
        hashes[marker] = hashlib.sha256("".join(written).encode("utf-8")).hexdigest()
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
