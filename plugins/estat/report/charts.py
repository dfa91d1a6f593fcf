"""The quality report's charts: plain inline SVG, drawn here, with no script and no network.

Two pictures, where they read faster than a table: bars of a share per field (mandatory
fields present, valid codes), and columns of rejected records per reporting period,
stacked by rule. Every mark carries a ``<title>`` with its exact figure, which a browser
shows on hover, and each chart an ``aria-label``; the tables beside them keep the figures
too. Coordinates are rounded to tenths, so the same figures draw the same bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from estat.report.markup import Markup, join, tag

FULL = "#2e7d5b"  # a share that is whole
SHORT = "#c0392b"  # a share that falls short
AXIS = "#666666"
GRID = "#dddddd"
TRACK = "#eeeeee"

# One colour per rule, kept whatever rules a period happens to show.
RULE_COLOURS = {
    "required": "#1f77b4",
    "length": "#aec7e8",
    "digits": "#ff7f0e",
    "date": "#ffbb78",
    "year": "#2ca02c",
    "iin": "#d62728",
    "iin_agrees": "#ff9896",
    "sex": "#9467bd",
    "flag": "#c5b0d5",
    "type_of_kind": "#8c564b",
    "code": "#e377c2",
    "date_order": "#7f7f7f",
    "unique": "#bcbd22",
    "person_in_file": "#17becf",
    "gsid_matches": "#9edae5",
    "declared_rows": "#393b79",
    "person_rejected": "#c49c94",
    "file_refused": "#444444",
}
OTHER_RULE = "#bbbbbb"


def rule_colour(rule: str) -> str:
    return RULE_COLOURS.get(rule, OTHER_RULE)


def _n(value: float) -> str:
    """A coordinate, to a tenth, without a trailing ``.0``."""
    text = f"{value:.1f}"
    return text.removesuffix(".0")


def _svg(width: float, height: float, label: str, *content: Markup) -> Markup:
    return tag(
        "svg",
        tag("title", label),
        *content,
        xmlns="http://www.w3.org/2000/svg",
        width=_n(width),
        height=_n(height),
        viewBox=f"0 0 {_n(width)} {_n(height)}",
        role="img",
        aria_label=label,
        class_="chart",
    )


@dataclass(frozen=True)
class Bar:
    """One bar of a share chart."""

    label: str  # written left of the bar
    share: Decimal | None  # 0 to 1; None draws no bar
    value: str  # written right of the bar
    title: str  # the bar's tooltip


def share_bars(bars: Sequence[Bar], *, label: str) -> Markup:
    """Horizontal bars of shares from 0 to 100 %; a share short of whole is drawn in red."""
    label_width, track_width, value_width = 230, 300, 90
    row, bar_height, top = 18, 12, 4
    width = label_width + track_width + value_width
    height = top * 2 + row * len(bars)
    marks = []
    for n, bar in enumerate(bars):
        y = top + n * row
        share = float(bar.share) if bar.share is not None else 0.0
        length = max(0.0, min(1.0, share)) * track_width
        colour = FULL if bar.share is not None and bar.share >= 1 else SHORT
        marks.append(
            tag(
                "g",
                tag("title", bar.title),
                tag(
                    "text",
                    bar.label,
                    x=_n(label_width - 8),
                    y=_n(y + bar_height - 2),
                    text_anchor="end",
                    font_size="12",
                ),
                tag(
                    "rect",
                    x=_n(label_width),
                    y=_n(y),
                    width=_n(track_width),
                    height=_n(bar_height),
                    fill=TRACK,
                ),
                tag(
                    "rect",
                    x=_n(label_width),
                    y=_n(y),
                    width=_n(length),
                    height=_n(bar_height),
                    fill=colour,
                )
                if bar.share is not None
                else None,
                tag(
                    "text",
                    bar.value,
                    x=_n(label_width + track_width + 6),
                    y=_n(y + bar_height - 2),
                    font_size="12",
                ),
                class_="bar",
            )
        )
    return _svg(width, height, label, *marks)


@dataclass(frozen=True)
class Series:
    """One stack layer of a column chart: a rule and its count per category."""

    key: str  # the rule, which picks the colour
    name: str  # named in each segment's tooltip
    values: tuple[int, ...]


def _scale_top(largest: int) -> tuple[int, int]:
    """A round top for the axis and the step between its ticks (1, 2 or 5 times a power of 10)."""
    if largest <= 0:
        return 1, 1
    step = 1
    while True:
        for factor in (1, 2, 5):
            candidate = step * factor
            if largest <= candidate * 5:
                top = -(-largest // candidate) * candidate
                return top, candidate
        step *= 10


def stacked_columns(categories: Sequence[str], series: Sequence[Series], *, label: str) -> Markup:
    """Columns per category (a reporting period), stacked by series (a rule).

    The legend is the page's to write (in HTML, where long labels wrap): each series'
    colour is :func:`rule_colour` of its key.
    """
    left, right, top_margin, axis_height = 56, 16, 12, 200
    column, gap = 40, 28
    width = max(360, left + right + len(categories) * (column + gap))
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    top, step = _scale_top(max(totals, default=0))
    base = top_margin + axis_height
    height = base + 28

    def y_of(value: float) -> float:
        return base - value / top * axis_height

    marks = []
    for tick in range(0, top + 1, step):
        y = y_of(tick)
        marks.append(
            tag("line", x1=_n(left), x2=_n(width - right), y1=_n(y), y2=_n(y), stroke=GRID)
        )
        marks.append(
            tag("text", str(tick), x=_n(left - 6), y=_n(y + 4), text_anchor="end", font_size="11")
        )
    for i, category in enumerate(categories):
        x = left + gap / 2 + i * (column + gap)
        stacked = 0
        for layer in series:
            value = layer.values[i]
            if value <= 0:
                continue
            y = y_of(stacked + value)
            marks.append(
                tag(
                    "rect",
                    tag("title", f"{category}: {layer.name} — {value}"),
                    x=_n(x),
                    y=_n(y),
                    width=_n(column),
                    height=_n(y_of(stacked) - y),
                    fill=rule_colour(layer.key),
                    class_="segment",
                    data_rule=layer.key,
                )
            )
            stacked += value
        marks.append(
            tag(
                "text",
                str(totals[i]),
                x=_n(x + column / 2),
                y=_n(y_of(totals[i]) - 4),
                text_anchor="middle",
                font_size="11",
            )
        )
        marks.append(
            tag(
                "text",
                category,
                x=_n(x + column / 2),
                y=_n(base + 16),
                text_anchor="middle",
                font_size="11",
            )
        )
    marks.append(tag("line", x1=_n(left), x2=_n(left), y1=_n(top_margin), y2=_n(base), stroke=AXIS))
    marks.append(
        tag("line", x1=_n(left), x2=_n(width - right), y1=_n(base), y2=_n(base), stroke=AXIS)
    )
    return _svg(width, height, label, join(marks))
