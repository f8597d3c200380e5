"""A learner's pathway drawn as a graph: pure layout of an evaluated rule tree.

Groups sit to the left of what they group; each node is done, in progress,
available or locked (by a prerequisite). The template turns the layout into SVG
and the same nodes into a nested list, the map's text equivalent.
"""

from __future__ import annotations

from dataclasses import dataclass

from pathways import rules

COLUMN = 200  # px between depths
ROW = 46  # px between leaves
BOX_W, BOX_H = 176, 34
STATUS_TEXT = {
    "done": "done",
    "progress": "in progress",
    "available": "available now",
    "locked": "locked until its prerequisite is met",
}


@dataclass(frozen=True)
class MapNode:
    path: str
    x: int
    y: int
    title: str
    detail: str
    status: str
    depth: int
    parent: str
    next_rank: int  # 1 for the first next step, 0 when not a next step

    @property
    def status_text(self) -> str:
        return STATUS_TEXT[self.status]

    @property
    def short_status(self) -> str:
        return {"progress": "in progress", "available": "available"}.get(
            self.status, self.status
        )

    @property
    def width(self) -> int:
        return BOX_W

    @property
    def height(self) -> int:
        return BOX_H

    @property
    def text_x(self) -> int:
        return self.x + 8

    @property
    def text_y(self) -> int:
        return self.y + 14

    @property
    def detail_y(self) -> int:
        return self.y + 28

    @property
    def indent(self) -> range:
        return range(self.depth)


@dataclass(frozen=True)
class Edge:
    x1: int
    y1: int
    x2: int
    y2: int
    done: bool


@dataclass(frozen=True)
class PathwayMap:
    width: int
    height: int
    nodes: tuple[MapNode, ...]
    edges: tuple[Edge, ...]

    @property
    def summary(self) -> str:
        counts = dict.fromkeys(STATUS_TEXT, 0)
        for node in self.nodes:
            if not node.path.count(".") or node.detail.startswith("group"):
                continue
            counts[node.status] += 1
        return ", ".join(f"{n} {STATUS_TEXT[s]}" for s, n in counts.items() if n)


def _status(node: rules.NodeResult) -> str:
    if node.satisfied:
        return "done"
    if node.locked:
        return "locked"
    if node.progress > 0:
        return "progress"
    return "available"


def _title(node: rules.NodeResult, catalogue: rules.Catalogue) -> tuple[str, str]:
    rule_label = node.label
    if node.type == "module":
        title = catalogue.title(node.code)
        # The title is the name; the code rides along for staff who know it.
        return (title, node.code) if title != node.code else (node.code, "module")
    if node.type == "all":
        return ("All of these", f"group · {round(node.progress * 100)}%")
    if node.type == "any":
        if rule_label.startswith("either "):
            return ("One of these", "group")
        if rule_label.startswith(("both ", "all of ")):
            return ("All of these", "group")
        return (rule_label.split(":")[0].capitalize(), "group")
    if node.type == "credits":
        return (rule_label.split(" from ")[0].capitalize(), f"group · {node.credits:g}")
    if node.type == "pathway":
        return (rule_label.removeprefix("the pathway "), "pathway")
    return (rule_label, "outside credential")


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def draw(
    tree: rules.NodeResult | None,
    catalogue: rules.Catalogue = rules.EMPTY,
    next_steps: tuple[rules.NextStep, ...] = (),
    *,
    waiting: frozenset[str] = frozenset(),
) -> PathwayMap | None:
    """The layout; modules in `waiting` (submitted, waiting for a grade) show as
    in progress."""
    if tree is None:
        return None
    ranks = {s.code: i for i, s in enumerate(next_steps, 1)}
    nodes: list[MapNode] = []
    edges: list[Edge] = []
    row = 0

    def place(node: rules.NodeResult, depth: int, parent: str) -> int:
        nonlocal row
        # A nested pathway's inner tree is summarised by its own node.
        children = node.children if node.type != "pathway" else ()
        if children:
            ys = [place(child, depth + 1, node.path) for child in children]
            y = (ys[0] + ys[-1]) // 2
        else:
            y = 8 + row * ROW
            row += 1
        title, detail = _title(node, catalogue)
        status = _status(node)
        is_waiting = node.type == "module" and node.code in waiting and status != "done"
        if is_waiting:
            status, detail = "progress", "submitted · awaiting grade"
        nodes.append(
            MapNode(
                path=node.path,
                x=8 + depth * COLUMN,
                y=y,
                title=_short(title),
                detail=_short(detail, 28),
                status=status,
                depth=depth,
                parent=parent,
                next_rank=(
                    ranks.get(node.code, 0)
                    if node.type == "module" and not is_waiting
                    else 0
                ),
            )
        )
        for child in children:
            placed = next(n for n in nodes if n.path == child.path)
            edges.append(
                Edge(
                    x1=8 + depth * COLUMN + BOX_W,
                    y1=y + BOX_H // 2,
                    x2=placed.x,
                    y2=placed.y + BOX_H // 2,
                    done=child.satisfied,
                )
            )
        return y

    place(tree, 0, "")
    depth = max(n.depth for n in nodes)
    ordered = sorted(nodes, key=lambda n: [int(p) for p in n.path.split(".")])
    return PathwayMap(
        width=16 + depth * COLUMN + BOX_W,
        height=max(ROW, 16 + row * ROW - (ROW - BOX_H)),
        nodes=tuple(ordered),
        edges=tuple(edges),
    )
