"""Charts drawn on the server as inline SVG: simple horizontal bars, no JavaScript and no styles.

The site's Content-Security-Policy forbids inline styles, so everything is drawn with SVG
presentation attributes (x=, width=, fill=). A chart is an image (role="img") named by its
<title>; the numbers are also in the data table the page puts beside it.
"""

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 480  # drawing units; the chart scales to the width of its column
VALUE_WIDTH = 64  # room for the value, right of the longest bar
LABEL_HEIGHT = 20  # each bar's label sits above it, so long labels have the whole width
BAR_HEIGHT = 20
GAP = 12
ROW = LABEL_HEIGHT + BAR_HEIGHT + GAP
LABEL_CHARACTERS = 52
FONT = "'GDS Transport', arial, sans-serif"
BAR_COLOUR = "#1d70b8"  # GOV.UK blue
TEXT_COLOUR = "#0b0c0c"  # GOV.UK black


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARACTERS else label[:LABEL_CHARACTERS - 1].rstrip() + "…"


def bar_chart(chart_id: str, title: str, bars: Sequence[tuple[str, float]], unit: str = "") -> Markup:
    """A horizontal bar chart of (label, value) pairs, each bar as long as its share of the largest.

    `chart_id` must be unique on the page: the chart's title and description take their ids from it.
    Labels and title are escaped; negative values are drawn as nothing.
    """
    values = [max(0.0, float(value)) for _, value in bars]
    largest = max(values, default=0.0) or 1.0
    span = WIDTH - VALUE_WIDTH
    height = max(1, len(bars)) * ROW + GAP
    ident = escape(chart_id)
    described = "; ".join(f"{label}: {_number(value)}" for (label, _), value in zip(bars, values, strict=True))
    if described and unit:
        described += f" ({unit})"
    parts = _opening(ident, height, title, described, empty=not bars)
    for row, ((label, _), value) in enumerate(zip(bars, values, strict=True)):
        top = GAP + row * ROW
        bar_top = top + LABEL_HEIGHT
        length = round(span * value / largest, 1)
        parts += [
            f'<text x="0" y="{top + 15}">{escape(_short(str(label)))}</text>',
            f'<rect x="0" y="{bar_top}" width="{length}" height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"></rect>',
            f'<text x="{length + 6}" y="{bar_top + 15}">{escape(_number(value))}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


def _opening(ident: str, height: int, title: str, described: str, empty: bool) -> list[str]:
    """An accessible chart's first parts: the svg element named by its title and described in words."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" viewBox="0 0 {WIDTH} {height}" '
        f'preserveAspectRatio="xMinYMin meet" aria-labelledby="{ident}-title {ident}-desc" focusable="false" '
        f'font-family="{FONT}" font-size="16" fill="{TEXT_COLOUR}">',
        f'<title id="{ident}-title">{escape(title)}</title>',
        f'<desc id="{ident}-desc">{escape(described or "No figures.")}</desc>',
    ]
    if empty:
        parts.append(f'<text x="0" y="{LABEL_HEIGHT}">No figures to draw.</text>')
    return parts


PAIR_COLOURS = ("#1d70b8", "#00703c")  # GOV.UK blue and green; each bar also says which it is in words
PAIR_ROW = LABEL_HEIGHT + 2 * BAR_HEIGHT + 4 + GAP


def paired_bar_chart(chart_id: str, title: str, series: tuple[str, str],
                     bars: Sequence[tuple[str, float | None, float | None]], unit: str = "%") -> Markup:
    """Two bars for each label (say, a group's share of the register and of those housed), on one scale, each
    bar's value written after it with its series' name, so that colour is never the only way to tell them apart.
    A value of None is a figure not shown: no bar, and "not shown" in its place."""
    values = [value for _, *pair in bars for value in pair if value is not None]
    largest = max([max(0.0, float(value)) for value in values], default=0.0) or 1.0
    span = WIDTH - VALUE_WIDTH * 3
    height = max(1, len(bars)) * PAIR_ROW + GAP
    ident = escape(chart_id)

    def said(value: float | None) -> str:
        return "not shown" if value is None else f"{value:,.1f}{unit}"

    described = "; ".join(f"{label}: {series[0]} {said(first)}, {series[1]} {said(second)}"
                          for label, first, second in bars)
    parts = _opening(ident, height, title, described, empty=not bars)
    for row, (label, *pair) in enumerate(bars):
        top = GAP + row * PAIR_ROW
        parts.append(f'<text x="0" y="{top + 15}">{escape(_short(str(label)))}</text>')
        for which, value in enumerate(pair):
            bar_top = top + LABEL_HEIGHT + which * (BAR_HEIGHT + 4)
            length = 0.0 if value is None else round(span * max(0.0, float(value)) / largest, 1)
            parts += [
                f'<rect x="0" y="{bar_top}" width="{length}" height="{BAR_HEIGHT}" fill="{PAIR_COLOURS[which]}">'
                '</rect>',
                f'<text x="{length + 6}" y="{bar_top + 15}">{escape(series[which])}: {escape(said(value))}</text>',
            ]
    parts.append("</svg>")
    return Markup("".join(parts))
