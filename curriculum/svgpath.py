"""SVG drawing commands as polylines, for drawing them with Pillow: path data
(lines, quadratic and cubic Béziers, elliptical arcs, absolute and relative) and
the basic shapes, curves flattened to short segments. Pure: no ORM, no I/O."""

import math
import re


def quadratic(start, control, end, steps: int = 16) -> list[tuple[float, float]]:
    return [
        (
            (1 - t) ** 2 * start[0] + 2 * (1 - t) * t * control[0] + t * t * end[0],
            (1 - t) ** 2 * start[1] + 2 * (1 - t) * t * control[1] + t * t * end[1],
        )
        for t in (n / steps for n in range(steps + 1))
    ]


NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
PATH_TOKEN = re.compile(
    r"[MmLlHhVvCcSsQqTtAaZz]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
)
ARGUMENTS = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7}


def _path_tokens(d: str) -> list[str]:
    """The path's commands and numbers; an arc's flags may be written without
    separators ("a1 1 0 011 1"), so they are split to single digits later."""
    return PATH_TOKEN.findall(d)


def path_polylines(d: str) -> list[tuple[list[tuple[float, float]], bool]]:
    """An SVG path as polylines (points, closed), curves and arcs flattened."""
    tokens = _path_tokens(d)
    lines: list[tuple[list[tuple[float, float]], bool]] = []
    current: list[tuple[float, float]] = []
    x = y = start_x = start_y = 0.0
    last_control = None
    command = ""
    i = 0

    def finish(closed: bool) -> None:
        nonlocal current
        if len(current) > 1:
            lines.append((current, closed))
        current = []

    def numbers(count: int, arc: bool = False) -> list[float]:
        nonlocal i
        values = []
        while len(values) < count:
            token = tokens[i]
            if arc and len(values) in (3, 4) and len(token.lstrip("+-")) > 1:
                # Flags run together with what follows: "011" is 0, 1, 1.
                tokens[i : i + 1] = [token[0], token[1:]]
                token = tokens[i]
            values.append(float(token))
            i += 1
        return values

    while i < len(tokens):
        if tokens[i].isalpha():
            command = tokens[i]
            i += 1
            if command in "Zz":
                if current:
                    current.append((start_x, start_y))
                finish(True)
                x, y = start_x, start_y
                current = [(x, y)]
                last_control = None
                continue
        elif not command:
            raise ValueError("The path does not start with a command.")
        relative = command.islower()
        upper = command.upper()
        values = numbers(ARGUMENTS[upper], arc=upper == "A")
        if relative:
            offsets = {
                "M": (0, 1), "L": (0, 1), "T": (0, 1), "C": (0, 1, 2, 3, 4, 5),
                "S": (0, 1, 2, 3), "Q": (0, 1, 2, 3),
            }  # fmt: skip
            if upper == "H":
                values[0] += x
            elif upper == "V":
                values[0] += y
            elif upper == "A":
                values[5] += x
                values[6] += y
            else:
                for n in offsets[upper]:
                    values[n] += x if n % 2 == 0 else y
        control = None
        if upper == "M":
            finish(False)
            x, y = values
            start_x, start_y = x, y
            current = [(x, y)]
            command = "l" if relative else "L"  # later pairs are lines
        elif upper in "LT":
            if upper == "T":
                control = _reflect(last_control, x, y) if last_control else (x, y)
                current.extend(quadratic((x, y), control, values)[1:])
            else:
                current.append(tuple(values))
            x, y = values
        elif upper == "H":
            x = values[0]
            current.append((x, y))
        elif upper == "V":
            y = values[0]
            current.append((x, y))
        elif upper in "CS":
            if upper == "S":
                first = _reflect(last_control, x, y) if last_control else (x, y)
                values = [*first, *values]
            current.extend(_cubic((x, y), *_pairs(values))[1:])
            control = (values[2], values[3])
            x, y = values[4], values[5]
        elif upper == "Q":
            current.extend(quadratic((x, y), values[:2], values[2:])[1:])
            control = (values[0], values[1])
            x, y = values[2], values[3]
        elif upper == "A":
            current.extend(_arc((x, y), *values)[1:])
            x, y = values[5], values[6]
        last_control = control if upper in "CSQT" else None
    finish(False)
    return lines


def _pairs(values: list[float]) -> list[tuple[float, float]]:
    return [(values[n], values[n + 1]) for n in range(0, len(values), 2)]


def _reflect(point, x: float, y: float) -> tuple[float, float]:
    return (2 * x - point[0], 2 * y - point[1])


def _cubic(p0, p1, p2, p3, steps: int = 16) -> list[tuple[float, float]]:
    points = []
    for n in range(steps + 1):
        t = n / steps
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t**3
        points.append(
            (
                a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0],
                a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1],
            )
        )
    return points


def _arc(start, rx, ry, rotation, large, sweep, x2, y2) -> list[tuple[float, float]]:
    """An elliptical arc as points, by the SVG spec's endpoint-to-centre
    conversion (SVG 1.1 appendix F.6.5)."""
    x1, y1 = start
    if rx == 0 or ry == 0 or (x1, y1) == (x2, y2):
        return [(x1, y1), (x2, y2)]
    rx, ry = abs(rx), abs(ry)
    phi = math.radians(rotation)
    cos, sin = math.cos(phi), math.sin(phi)
    dx, dy = (x1 - x2) / 2, (y1 - y2) / 2
    xp, yp = cos * dx + sin * dy, -sin * dx + cos * dy
    scale = xp**2 / rx**2 + yp**2 / ry**2
    if scale > 1:  # radii too small to join the points: enlarge them
        rx, ry = rx * math.sqrt(scale), ry * math.sqrt(scale)
    numerator = rx**2 * ry**2 - rx**2 * yp**2 - ry**2 * xp**2
    denominator = rx**2 * yp**2 + ry**2 * xp**2
    factor = math.sqrt(max(0.0, numerator / denominator))
    if large == sweep:
        factor = -factor
    cxp, cyp = factor * rx * yp / ry, -factor * ry * xp / rx
    cx = cos * cxp - sin * cyp + (x1 + x2) / 2
    cy = sin * cxp + cos * cyp + (y1 + y2) / 2
    theta = math.atan2((yp - cyp) / ry, (xp - cxp) / rx)
    end = math.atan2((-yp - cyp) / ry, (-xp - cxp) / rx)
    delta = end - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    steps = max(4, int(abs(delta) / (math.pi / 16)))
    points = []
    for n in range(steps + 1):
        angle = theta + delta * n / steps
        ex, ey = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cos * ex - sin * ey + cx, sin * ex + cos * ey + cy))
    return points


def element_polylines(tag: str, attributes: dict[str, str]) -> list:
    number = {k: float(v) for k, v in attributes.items() if k != "d" and k != "points"}
    if tag == "path":
        return path_polylines(attributes["d"])
    if tag == "line":
        return [([(number["x1"], number["y1"]), (number["x2"], number["y2"])], False)]
    if tag in ("polyline", "polygon"):
        values = [float(v) for v in NUMBER.findall(attributes["points"])]
        return [(_pairs(values), tag == "polygon")]
    if tag in ("circle", "ellipse"):
        rx = number.get("rx", number.get("r", 0))
        ry = number.get("ry", number.get("r", 0))
        points = [
            (
                number["cx"] + rx * math.cos(2 * math.pi * n / 48),
                number["cy"] + ry * math.sin(2 * math.pi * n / 48),
            )
            for n in range(48)
        ]
        return [(points, True)]
    # A rectangle, its corners rounded by rx/ry.
    x, y, w, h = number["x"], number["y"], number["width"], number["height"]
    r = min(number.get("rx", number.get("ry", 0)), w / 2, h / 2)
    if not r:
        return [([(x, y), (x + w, y), (x + w, y + h), (x, y + h)], True)]
    points = []
    for cx, cy, start in (
        (x + w - r, y + r, -90),
        (x + w - r, y + h - r, 0),
        (x + r, y + h - r, 90),
        (x + r, y + r, 180),
    ):
        for step in range(7):
            angle = math.radians(start + 15 * step)
            points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return [(points, True)]
