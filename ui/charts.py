"""The reports' Plotly charts: one colour per meaning, titles and axes that carry their units,
fixed heights (a live re-draw never moves the page), and a drill-down URL on every bar.

Each figure's `customdata` holds, per bar or point, the claim-list URL of the claims behind it;
`chart()` sends a click on it to that URL. Amounts become floats here for the geometry only:
every dollar figure a person reads (hover, table) is formatted from the Decimal.

Figures are plotly.js dicts (`data`, `layout`), not `go.Figure`s: a page redraws its charts on
the event loop at every live update, and building a go.Figure validates every property (about
25 ms a chart), which the declarative form skips. They are the same figures to plotly.js, to
kaleido (PNG) and to `go.Figure(figure)`."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nicegui import events, ui

from domain.revenue_cycle import AgingReport, DenialGroup
from ui.format import count, money
from ui.theme import ACCENT, INK, NEGATIVE, POSITIVE, PRIMARY
from ui.widgets import empty_state

Figure = dict[str, Any]

# One colour per meaning, on every chart (and in the tables' legends): a denial is red, money
# received green, the plan's balance the brand blue, the patients' balance violet.
DENIED = NEGATIVE
PAID = POSITIVE
PLAN_OWED = PRIMARY
PATIENT_OWED = ACCENT
RATE_LINE = INK
GRID = "#E5E7EB"

# Fixed heights: a re-draw with new numbers keeps the same box, so nothing below it jumps.
TREND_HEIGHT = 320
AGING_HEIGHT = 320
# A ranking's height follows its bars (a few at least, so two bars are not slabs), up to a cap;
# the table under it lists every row.
RANKING_BAR_PX = 26
RANKING_FRAME_PX = 110  # title, axis and its label
RANKING_MIN_BARS = 5
RANKING_MAX_BARS = 15
# Longer axis labels are cut (the hover and the table carry the whole text): for a chart in
# half a page, and for one across the page.
LABEL_CHARS = 34
WIDE_LABEL_CHARS = 60

_FONT = {"family": "Roboto, system-ui, -apple-system, Segoe UI, Arial, sans-serif", "size": 12}
_CONFIG = {"displayModeBar": False, "responsive": True}
_HOVER = "%{hovertext}<extra></extra>"
_CSS = """
.report-chart { width: 100%; }
.report-chart .nsewdrag, .report-chart .cursor-crosshair { cursor: pointer; }
.report-chart-empty { display: flex; align-items: center; justify-content: center;
  border: 1px dashed var(--portico-border); border-radius: var(--portico-radius); }
"""


@dataclass(frozen=True)
class Chart:
    """A figure and how it stands on the page."""

    figure: Figure
    title: str  # the figure's title, also the chart's accessible name
    height: int
    empty: bool  # nothing to draw: the page shows an empty state of the same height


def _axis(**settings: Any) -> dict[str, Any]:
    return {
        "automargin": True,
        "gridcolor": GRID,
        "zerolinecolor": GRID,
        "fixedrange": True,  # no zoom or pan: a click is a drill-down
        **settings,
    }


def _layout(*, title: str, height: int, legend: bool = True, **extra: Any) -> dict[str, Any]:
    """The look every chart shares: the title top left, the legend (if any) on its own line
    under it, so a long title never runs into it."""
    return {
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": 10},
            "font": {"size": 14, "color": INK},
        },
        "height": height,
        "margin": {"l": 8, "r": 8, "t": 72 if legend else 44, "b": 8},
        "font": {**_FONT, "color": INK},
        "paper_bgcolor": "#FFFFFF",
        "plot_bgcolor": "#FFFFFF",
        "hoverlabel": {"font": _FONT, "bgcolor": "#FFFFFF"},
        "dragmode": False,
        "showlegend": legend,
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0,
            "traceorder": "normal",  # stacked bars too: the legend reads as the table does
            "font": {"size": 12},
        },
        **extra,
    }


def _dollars(amount: Decimal) -> float:
    return float(amount)  # bar geometry only (see the module note)


def _percent(ratio_value: Decimal | None) -> float | None:
    return None if ratio_value is None else float(ratio_value * 100)


def percent_text(ratio_value: Decimal | None) -> str:
    """'11.1%' for 0.111; an empty period is a dash, not 0 %."""
    if ratio_value is None:
        return "—"
    return f"{(ratio_value * 100).quantize(Decimal('0.1'))}%"


def short(label: str, limit: int = LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def aging_chart(report: AgingReport) -> Chart:
    """A/R by age: plan-owed and patient-owed stacked per bucket."""
    title = "A/R by age of claim ($)"
    buckets = [row.bucket.label for row in report.rows]
    traces = []
    for name, colour, cells in (
        ("Owed by the plan", PLAN_OWED, [row.plan for row in report.rows]),
        ("Owed by patients", PATIENT_OWED, [row.patient for row in report.rows]),
    ):
        traces.append(
            {
                "type": "bar",
                "name": name,
                "x": buckets,
                "y": [_dollars(cell.amount) for cell in cells],
                "marker": {"color": colour},
                "customdata": [cell.filters.url() for cell in cells],
                "hovertext": [
                    f"{name}, {bucket}: {money(cell.amount)} on {count(cell.claims)} claims"
                    for bucket, cell in zip(buckets, cells, strict=True)
                ],
                "hovertemplate": _HOVER,
            }
        )
    layout = _layout(
        title=title,
        height=AGING_HEIGHT,
        barmode="stack",
        bargap=0.35,
        xaxis=_axis(title={"text": "Days since the date of service"}, showgrid=False),
        yaxis=_axis(title={"text": "Amount owed ($)"}, tickprefix="$", tickformat=",.0f"),
    )
    return Chart({"data": traces, "layout": layout}, title, AGING_HEIGHT, empty=report.total == 0)


def _month_ticks(groups: Sequence[DenialGroup]) -> list[str]:
    """'Mar' under each bar, with the year under the first month and every January, so twelve
    or more months stay legible without slanting."""
    ticks = []
    for index, group in enumerate(groups):
        month, _, year = group.label.partition(" ")
        ticks.append(f"{month}<br>{year}" if index == 0 or month == "Jan" else month)
    return ticks


def denial_trend_chart(groups: Sequence[DenialGroup]) -> Chart:
    """Initial denials per month as bars, with the month's denial rate as a line on the right."""
    title = "Initial denials per month (claims) and denial rate (%)"
    months = [group.key for group in groups]
    drill_downs = [group.denied_claims.url() for group in groups]
    rates = [_percent(group.rate.value) for group in groups]
    bars = {
        "type": "bar",
        "name": "Denied claims",
        "x": months,
        "y": [group.denied for group in groups],
        "marker": {"color": DENIED},
        "customdata": drill_downs,
        "hovertext": [
            f"{group.label}: {count(group.denied)} denied of {count(group.adjudicated)} "
            f"adjudicated ({money(group.denied_billed)} billed)"
            for group in groups
        ],
        "hovertemplate": _HOVER,
    }
    line = {
        "type": "scatter",
        "name": "Denial rate",
        "x": months,
        "y": rates,
        "yaxis": "y2",
        "mode": "lines+markers",
        "line": {"color": RATE_LINE, "width": 2},
        "marker": {"size": 7, "color": RATE_LINE},
        "connectgaps": False,
        "customdata": drill_downs,
        "hovertext": [
            f"{group.label}: denial rate {percent_text(group.rate.value)}" for group in groups
        ],
        "hovertemplate": _HOVER,
    }
    highest = max((rate for rate in rates if rate is not None), default=0.0)
    top, step = _rate_scale(highest)
    layout = _layout(
        title=title,
        height=TREND_HEIGHT,
        bargap=0.3,
        xaxis=_axis(
            type="category",
            tickmode="array",
            tickvals=months,
            ticktext=_month_ticks(groups),
            tickangle=0,
            showgrid=False,
        ),
        yaxis=_axis(title={"text": "Denied claims"}, rangemode="tozero"),
        yaxis2=_axis(
            title={"text": "Denial rate (%)"},
            overlaying="y",
            side="right",
            ticksuffix="%",
            range=[0, top * 1.05],  # a point at the top tick stays whole
            dtick=step,
            showgrid=False,
        ),
    )
    empty = all(group.adjudicated == 0 for group in groups)
    return Chart({"data": [bars, line], "layout": layout}, title, TREND_HEIGHT, empty=empty)


def _rate_scale(highest: float) -> tuple[float, float]:
    """The rate axis' top and tick step: headroom above the highest month (the line never runs
    into the legend), in round steps (0, 5, 10, 15 %), the same on screen and in a PNG."""
    wanted = max(highest * 1.25, 5.0)
    step = 5.0 if wanted <= 30 else 10.0 if wanted <= 60 else 20.0
    return min(math.ceil(wanted / step) * step, 100.0), step  # a rate tops out at 100 %


def ranking_height(bars: int) -> int:
    slots = min(max(bars, RANKING_MIN_BARS), RANKING_MAX_BARS)
    return RANKING_FRAME_PX + slots * RANKING_BAR_PX


def denial_ranking_chart(
    groups: Sequence[DenialGroup], *, title: str, label_chars: int = LABEL_CHARS
) -> Chart:
    """Horizontal bars of denied claims per value (a CARC, a provider, …), most on top."""
    # Most denials first (stable: ties keep the report's order).
    ranked = sorted((group for group in groups if group.denied > 0), key=lambda g: -g.denied)
    shown = ranked[:RANKING_MAX_BARS]
    if len(ranked) > len(shown):
        title = f"{title}, top {len(shown)} of {len(ranked)}"
    labels = [short(group.label, label_chars) for group in shown]
    # Labels cut to the same text would merge their bars: keep each one distinct.
    seen: dict[str, int] = {}
    for index, label in enumerate(labels):
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[index] = f"{label} ({seen[label]})"
    bars = {
        "type": "bar",
        "orientation": "h",
        "name": "Denied claims",
        "x": [group.denied for group in shown],
        "y": labels,
        "marker": {"color": DENIED},
        "customdata": [group.denied_claims.url() for group in shown],
        "text": [count(group.denied) for group in shown],
        "textposition": "outside",
        "cliponaxis": False,
        "hovertext": [
            f"{group.label}: {count(group.denied)} denied, {money(group.denied_billed)} billed"
            for group in shown
        ],
        "hovertemplate": _HOVER,
    }
    slots = min(max(len(shown), RANKING_MIN_BARS), RANKING_MAX_BARS)
    height = ranking_height(len(shown))
    most = max((group.denied for group in shown), default=0)
    layout = _layout(
        title=title,
        height=height,
        legend=False,
        bargap=0.3,
        # Room right of the longest bar for its count.
        xaxis=_axis(title={"text": "Denied claims"}, range=[0, max(most * 1.12, 1)]),
        yaxis=_axis(
            type="category",
            categoryorder="array",
            categoryarray=labels,
            range=[slots - 0.5, -0.5],  # most denials on top
            autorange=False,
            showgrid=False,
            ticks="",
        ),
    )
    return Chart({"data": [bars], "layout": layout}, title, height, empty=not shown)


def chart(
    drawn: Chart,
    *,
    marker: str,
    empty_title: str,
    empty_detail: str,
    navigate: Callable[[str], None] | None = None,
) -> ui.element:
    """Draw `drawn`, or an empty state in a box of the same height. A click on a bar or point
    opens the claim list behind it."""
    ui.add_css(_CSS)
    if drawn.empty:
        with (
            ui.element("div")
            .classes("report-chart report-chart-empty")
            .style(f"height: {drawn.height}px")
            .mark(f"{marker}-empty") as box
        ):
            empty_state(empty_title, empty_detail, icon="bar_chart")
        return box
    allowed = drill_urls(drawn.figure)
    go_to = navigate or ui.navigate.to

    def open_drill_down(event: events.GenericEventArguments) -> None:
        # Only a URL this chart carries: the client sends the point's customdata back.
        url = event.args
        if isinstance(url, str) and url in allowed:
            go_to(url)

    plot = (
        ui.plotly({**drawn.figure, "config": _CONFIG})
        .classes("report-chart")
        .style(f"height: {drawn.height}px")
        .props('role="img"')
        .mark(marker)
    )
    plot.props["aria-label"] = drawn.title
    plot.on(
        "plotly_click",
        open_drill_down,
        js_handler="(event) => { const point = event && event.points && event.points[0]; "
        "if (point && typeof point.customdata === 'string') emit(point.customdata); }",
    )
    return plot


def drill_urls(figure: Figure) -> frozenset[str]:
    """Every drill-down URL the figure's bars and points carry."""
    return frozenset(
        value
        for trace in figure["data"]
        for value in trace.get("customdata") or ()
        if isinstance(value, str)
    )


def png_figure(drawn: Chart) -> Any:
    """The chart as a `go.Figure` for an image (the exporter sets the size), with a little more
    room at the edges than on screen. Built on demand only: see the module note."""
    import plotly.graph_objects as go  # type: ignore[import-untyped]

    figure = go.Figure(copy.deepcopy(drawn.figure))
    figure.update_layout(margin={"l": 24, "r": 24, "b": 24}, title_pad={"t": 10, "l": 24})
    return figure
