"""Geometry of the server-drawn SVG charts: pure arithmetic, no ORM, no HTML.

The templates draw what these functions place, so the page needs no JavaScript
and the numbers stay testable.
"""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: int
    title: str


@dataclass(frozen=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True)
class Label:
    x: float
    text: str


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int]


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    left: float
    right: float
    top: float
    bottom: float
    bars: tuple[Bar, ...]
    ticks: tuple[Tick, ...]
    labels: tuple[Label, ...]
    series: tuple[Series, ...]

    @property
    def middle_y(self) -> float:
        return (self.top + self.bottom) / 2

    @property
    def middle_x(self) -> float:
        return (self.left + self.right) / 2


def tick_step(maximum: int, *, most: int = 5) -> int:
    """The smallest 1, 2 or 5 × 10ⁿ step that covers maximum in at most `most`
    steps (whole numbers: the charts count things)."""
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            if step * most >= maximum:
                return step
        magnitude *= 10


def grouped_bars(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    width: int = 720,
    height: int = 300,
) -> BarChart:
    """One group of bars per category, one bar per series, on a shared y axis
    starting at zero."""
    left, right, top, bottom = 48.0, width - 12.0, 16.0, height - 48.0
    maximum = max((v for s in series for v in s.values), default=0)
    step = tick_step(max(maximum, 1))
    ceiling = step * -(-max(maximum, 1) // step)

    def y_of(value: int) -> float:
        return bottom - (bottom - top) * value / ceiling

    group = (right - left) / max(len(categories), 1)
    gap = group * 0.2
    bar_width = (group - gap) / max(len(series), 1)
    bars = []
    for i, category in enumerate(categories):
        for j, s in enumerate(series):
            value = s.values[i]
            x = left + i * group + gap / 2 + j * bar_width
            bars.append(
                Bar(
                    x=round(x, 1),
                    y=round(y_of(value), 1),
                    width=round(bar_width, 1),
                    height=round(bottom - y_of(value), 1),
                    value=value,
                    series=j,
                    title=f"{category}: {value} {s.name.lower()}",
                )
            )
    return BarChart(
        width=width,
        height=height,
        left=left,
        right=right,
        top=top,
        bottom=bottom,
        bars=tuple(bars),
        ticks=tuple(Tick(round(y_of(v), 1), v) for v in range(0, ceiling + 1, step)),
        labels=tuple(
            Label(round(left + (i + 0.5) * group, 1), c)
            for i, c in enumerate(categories)
        ),
        series=tuple(series),
    )


def funnel_widths(values: Sequence[int], *, width: float = 200.0) -> list[float]:
    """Bar lengths proportional to the first value (the funnel's mouth)."""
    mouth = values[0] if values else 0
    if not mouth:
        return [0.0 for _ in values]
    return [round(width * v / mouth, 1) for v in values]
