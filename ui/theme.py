"""Portico's look in one place: brand colors, type, spacing, and the card, table and status styles
every page shares. Colors are chosen for WCAG AA contrast (4.5:1 or better for text)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from nicegui import ui
from nicegui.elements.mixins.text_element import TextElement

from domain.claims import ClaimStatus

# Brand palette (text contrast against white in the comments).
PRIMARY = "#1B4F72"  # deep harbor blue, 8.4:1
SECONDARY = "#0F766E"  # teal 700, 5.5:1
ACCENT = "#6D28D9"  # violet 700, 7.1:1
POSITIVE = "#15803D"  # green 700, 5.0:1
NEGATIVE = "#B91C1C"  # red 700, 6.5:1
WARNING = "#B45309"  # amber 700, 5.0:1
INFO = "#1D4ED8"  # blue 700, 6.7:1
INK = "#1F2937"  # body text, 14.7:1
MUTED = "#4B5563"  # secondary text, 7.6:1
PAGE_BACKGROUND = "#F4F6F9"
HEADER_BACKGROUND = "#123A56"

# Each claim status reads as a soft badge: dark text on a pale tint (all above 7:1).
STATUS_TONES: dict[ClaimStatus, tuple[str, str]] = {
    ClaimStatus.DRAFT: ("#F3F4F6", "#374151"),
    ClaimStatus.RECEIVED: ("#DBEAFE", "#1E40AF"),
    ClaimStatus.ACCEPTED: ("#DBEAFE", "#1E40AF"),
    ClaimStatus.IN_PROCESS: ("#E0E7FF", "#3730A3"),
    ClaimStatus.PENDED: ("#FEF3C7", "#92400E"),
    ClaimStatus.REJECTED: ("#FEE2E2", "#991B1B"),
    ClaimStatus.DENIED: ("#FEE2E2", "#991B1B"),
    ClaimStatus.PAID: ("#DCFCE7", "#166534"),
    ClaimStatus.PARTIALLY_PAID: ("#CCFBF1", "#115E59"),
    ClaimStatus.REMITTED: ("#E0F2FE", "#075985"),
    ClaimStatus.VOIDED: ("#F3F4F6", "#374151"),
}

# The order a biller reads claim standings in: what needs work first, then the pipeline.
STANDING_ORDER = [
    ClaimStatus.REJECTED,
    ClaimStatus.DENIED,
    ClaimStatus.PENDED,
    ClaimStatus.RECEIVED,
    ClaimStatus.ACCEPTED,
    ClaimStatus.IN_PROCESS,
    ClaimStatus.PAID,
    ClaimStatus.PARTIALLY_PAID,
    ClaimStatus.REMITTED,
    ClaimStatus.DRAFT,
    ClaimStatus.VOIDED,
]

_STATUS_CSS = "\n".join(
    f".status-{status.value} {{ background: {background}; color: {text}; }}"
    for status, (background, text) in STATUS_TONES.items()
)

_CSS = f"""
:root {{
  --portico-ink: {INK};
  --portico-muted: {MUTED};
  --portico-border: #DDE3EA;
  --portico-radius: 10px;
}}
body {{
  font-family: Roboto, system-ui, -apple-system, "Segoe UI", "Helvetica Neue", Arial, sans-serif;
  color: var(--portico-ink);
  background: {PAGE_BACKGROUND};
  -webkit-font-smoothing: antialiased;
}}
.nicegui-content {{ padding: 0; }}
h1.portico-title {{ font-size: 1.6rem; line-height: 2rem; font-weight: 600; margin: 0;
  letter-spacing: -0.01em; color: {INK}; }}
h2.portico-section {{ font-size: 1.05rem; line-height: 1.5rem; font-weight: 600; margin: 0;
  color: {INK}; }}
h3.portico-subsection {{ font-size: 0.95rem; font-weight: 600; margin: 0; color: {INK}; }}
.portico-subtitle {{ color: var(--portico-muted); font-size: 0.95rem; }}
.portico-muted {{ color: var(--portico-muted); }}
.portico-page {{ width: 100%; max-width: 1280px; margin: 0 auto; padding: 24px 28px 48px;
  display: flex; flex-direction: column; gap: 20px; }}
.portico-card {{ background: #fff; border: 1px solid var(--portico-border);
  border-radius: var(--portico-radius); box-shadow: 0 1px 2px rgba(16, 24, 40, 0.04);
  padding: 18px 20px; width: 100%; }}
.portico-card-header {{ display: flex; align-items: center; justify-content: space-between;
  gap: 12px; margin-bottom: 12px; flex-wrap: wrap; }}
.portico-kpis {{ display: grid; gap: 16px; width: 100%;
  grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); }}
.portico-kpi {{ background: #fff; border: 1px solid var(--portico-border);
  border-radius: var(--portico-radius); padding: 16px 18px; display: flex;
  flex-direction: column; gap: 4px; text-decoration: none; color: inherit; }}
a.portico-kpi:hover, a.portico-kpi:focus-visible {{ border-color: {PRIMARY};
  box-shadow: 0 0 0 3px rgba(27, 79, 114, 0.12); }}
.portico-kpi-label {{ font-size: 0.8rem; font-weight: 500; text-transform: uppercase;
  letter-spacing: 0.04em; color: var(--portico-muted); }}
.portico-kpi-value {{ font-size: clamp(1.25rem, 2.3vw, 1.75rem); font-weight: 600;
  line-height: 1.25; font-variant-numeric: tabular-nums; color: {INK}; }}
.portico-kpi-caption {{ font-size: 0.85rem; color: var(--portico-muted); }}
.portico-kpi.tone-alert {{ border-left: 4px solid {NEGATIVE}; }}
.portico-kpi.tone-warn {{ border-left: 4px solid {WARNING}; }}
.portico-kpi.tone-good {{ border-left: 4px solid {POSITIVE}; }}
.portico-kpi.tone-info {{ border-left: 4px solid {PRIMARY}; }}
.portico-grid-2 {{ display: grid; gap: 20px; width: 100%;
  grid-template-columns: repeat(auto-fit, minmax(380px, 1fr)); align-items: start; }}
.portico-money {{ font-variant-numeric: tabular-nums; white-space: nowrap; }}
.portico-status {{ display: inline-block; padding: 2px 10px; border-radius: 999px;
  font-size: 0.78rem; font-weight: 600; line-height: 1.25rem; white-space: nowrap; }}
{_STATUS_CSS}
.portico-remitted {{ margin-left: 6px; font-size: 0.75rem; color: var(--portico-muted); }}
.portico-table {{ width: 100%; border: 1px solid var(--portico-border);
  border-radius: var(--portico-radius); box-shadow: none; }}
.portico-table-scroll {{ width: 100%; overflow-x: auto; border-radius: var(--portico-radius); }}
.portico-table-scroll:focus-visible {{ outline: 2px solid {PRIMARY}; outline-offset: 2px; }}
.portico-table-scroll .q-table__middle.scroll {{ overflow: visible; }}
.portico-table thead tr th {{ font-weight: 600; font-size: 0.78rem; color: var(--portico-muted);
  text-transform: uppercase; letter-spacing: 0.03em; background: #F8FAFC; }}
.portico-table tbody td {{ font-size: 0.9rem; }}
.portico-table td a {{ white-space: nowrap; }}
.portico-avatar {{ width: 34px; height: 34px; border-radius: 50%; background: #fff;
  color: {PRIMARY}; font-weight: 600; font-size: 0.85rem; display: flex; align-items: center;
  justify-content: center; letter-spacing: 0.02em; flex-shrink: 0; }}
.portico-grid-main {{ display: grid; gap: 20px; width: 100%; align-items: start;
  grid-template-columns: minmax(0, 1fr) minmax(260px, 340px); }}
@media (max-width: 1180px) {{ .portico-grid-main {{ grid-template-columns: 1fr; }} }}
.portico-table a, .portico-link {{ color: {PRIMARY}; font-weight: 500; text-decoration: none; }}
.portico-table a:hover, .portico-link:hover {{ text-decoration: underline; }}
.portico-empty {{ display: flex; flex-direction: column; align-items: center; text-align: center;
  gap: 6px; padding: 28px 12px; color: var(--portico-muted); }}
.portico-header {{ background: {HEADER_BACKGROUND}; color: #fff; }}
.portico-brand {{ font-weight: 700; font-size: 1.15rem; letter-spacing: 0.01em; color: #fff; }}
.portico-org {{ color: #E2E8F0; font-size: 0.95rem; }}
.portico-nav a {{ display: flex; align-items: center; gap: 12px; padding: 9px 14px;
  margin: 2px 10px; border-radius: 8px; color: {INK}; text-decoration: none;
  font-size: 0.93rem; font-weight: 500; }}
.portico-nav a:hover {{ background: #EEF2F6; }}
.portico-nav a:focus-visible {{ outline: 2px solid {PRIMARY}; outline-offset: 1px; }}
.portico-nav a[aria-current="page"] {{ background: #E3EDF5; color: {PRIMARY}; }}
.portico-nav .q-icon {{ color: {MUTED}; font-size: 1.25rem; }}
.portico-nav a[aria-current="page"] .q-icon {{ color: {PRIMARY}; }}
.portico-soon {{ margin-left: auto; font-size: 0.68rem; font-weight: 600; color: {MUTED};
  border: 1px solid var(--portico-border); border-radius: 999px; padding: 0 7px; }}
.portico-nav-heading {{ font-size: 0.72rem; font-weight: 600; text-transform: uppercase;
  letter-spacing: 0.06em; color: {MUTED}; padding: 16px 24px 6px; }}
.portico-facts {{ display: grid; gap: 14px 24px;
  grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); }}
.portico-fact-label {{ font-size: 0.78rem; color: var(--portico-muted); font-weight: 500; }}
.portico-fact-value {{ font-size: 0.95rem; color: {INK}; }}
.portico-bar {{ height: 8px; border-radius: 4px; background: {PRIMARY}; min-width: 2px; }}
.portico-bar-track {{ flex: 1; background: #EEF2F6; border-radius: 4px; height: 8px; }}
.portico-callout {{ border-radius: var(--portico-radius); padding: 12px 16px; display: flex;
  gap: 12px; align-items: flex-start; }}
.portico-callout.tone-alert {{ background: #FEF2F2; border: 1px solid #FECACA; color: #7F1D1D; }}
.portico-callout.tone-info {{ background: #EFF6FF; border: 1px solid #BFDBFE; color: #1E3A8A; }}
.portico-timeline {{ list-style: none; margin: 0; padding: 0; }}
.portico-timeline li {{ position: relative; padding: 0 0 18px 28px; }}
.portico-timeline li::before {{ content: ""; position: absolute; left: 6px; top: 8px; bottom: -8px;
  width: 2px; background: var(--portico-border); }}
.portico-timeline li:last-child::before {{ display: none; }}
.portico-timeline-dot {{ position: absolute; left: 0; top: 3px; width: 14px; height: 14px;
  border-radius: 50%; background: #fff; border: 3px solid {PRIMARY}; }}
.portico-login-bg {{ min-height: 100vh; width: 100%;
  background: linear-gradient(160deg, {HEADER_BACKGROUND} 0%, {PRIMARY} 55%, #2D6A8E 100%); }}
@media (max-width: 700px) {{
  .portico-page {{ padding: 16px 14px 40px; }}
  .portico-grid-2 {{ grid-template-columns: 1fr; }}
}}
"""


def apply_theme() -> None:
    """Colors and CSS for the current page (NiceGUI scopes both to the client)."""
    ui.colors(
        primary=PRIMARY,
        secondary=SECONDARY,
        accent=ACCENT,
        positive=POSITIVE,
        negative=NEGATIVE,
        warning=WARNING,
        info=INFO,
        dark="#111827",
    )
    ui.add_css(_CSS)


class Heading(TextElement):
    """A real h1/h2/h3, so screen readers can walk the page by its headings."""

    def __init__(self, text: str, *, level: int = 1) -> None:
        super().__init__(tag=f"h{level}", text=text)
        self.classes(
            {1: "portico-title", 2: "portico-section", 3: "portico-subsection"}.get(level, "")
        )


def status_badge(status: ClaimStatus) -> ui.label:
    return ui.label(status.label).classes(f"portico-status status-{status.value}")


@contextmanager
def message_panel(
    icon: str, title: str, *, level: int = 1, marker: str | None = None
) -> Iterator[ui.element]:
    """A centred card with an icon and a heading: refusals, not-found, coming soon."""
    panel = (
        ui.element("section").classes("portico-card").style("max-width: 640px; margin: 40px auto")
    )
    if marker:
        panel.mark(marker)
    with panel, ui.column().classes("items-center text-center gap-3 py-8 px-4 w-full") as body:
        ui.icon(icon, size="44px").classes("text-primary")
        Heading(title, level=level)
        yield body
