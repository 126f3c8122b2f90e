"""The fpdf2 groundwork of Portico's PDFs (EOB, kept eligibility check): a Letter page with a
footer, the masthead, rules and tables in the portal's colours, text safe for core fonts."""

from __future__ import annotations

from collections.abc import Sequence

from fpdf import FPDF, FontFace
from fpdf.enums import TableBordersLayout

INK = (31, 41, 55)
MUTED = (75, 85, 99)
PRIMARY = (27, 79, 114)
RULE = (221, 227, 234)
HEADINGS = FontFace(emphasis="BOLD", color=MUTED, fill_color=(241, 245, 249))
# Core fonts are single-byte: the few typographic characters the portal writes get plain
# equivalents, anything else outside cp1252 becomes '?' rather than failing the download.
_PLAIN = str.maketrans({"\N{EN DASH}": "-", "\N{EM DASH}": "-", "\N{MIDDLE DOT}": "-"})


def plain(value: str) -> str:
    return value.translate(_PLAIN).encode("cp1252", "replace").decode("cp1252")


class Document(FPDF):
    """A Letter portrait page in millimetres whose footer says what the file is and its page."""

    def __init__(self, *, title: str, footer_text: str, margin: float) -> None:
        super().__init__(orientation="portrait", unit="mm", format="Letter")
        self.core_fonts_encoding = "cp1252"
        self.footer_text = footer_text
        self.set_margins(margin, margin, margin)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(title)
        self.set_creator("Portico")

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font("helvetica", size=7.5)
        self.set_text_color(*MUTED)
        self.cell(0, 4, plain(self.footer_text), align="L")
        self.cell(0, 4, f"Page {self.page_no()} of {{nb}}", align="R")


def masthead(pdf: FPDF, title: str) -> None:
    """The portal's name over the document's title."""
    pdf.set_text_color(*PRIMARY)
    pdf.set_font("helvetica", "B", 10)
    pdf.cell(0, 5, "Portico", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(*INK)
    pdf.set_font("helvetica", "B", 17)
    pdf.cell(0, 9, plain(title), new_x="LMARGIN", new_y="NEXT")


def rule(pdf: FPDF, *, space_after: float = 3) -> None:
    """A thin line across the page between sections."""
    pdf.set_draw_color(*RULE)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(space_after)


def table(
    pdf: FPDF,
    headings: Sequence[str] | None,
    rows: Sequence[Sequence[str]],
    *,
    widths: Sequence[float],
    align: Sequence[str],
    label_columns: Sequence[int] = (),
    space_after: float = 2,
) -> None:
    """Rows between horizontal lines; the label columns of a fact table are muted."""
    pdf.set_font("helvetica", size=8.5)
    pdf.set_text_color(*INK)
    with pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(align),
        headings_style=HEADINGS,
        borders_layout=TableBordersLayout.HORIZONTAL_LINES,
        line_height=4.4,
        padding=(0.8, 1.5),
        first_row_as_headings=headings is not None,
    ) as drawn:
        if headings is not None:
            heading = drawn.row()
            for text in headings:
                heading.cell(plain(text))
        for values in rows:
            row = drawn.row()
            for index, text in enumerate(values):
                style = FontFace(color=MUTED) if index in label_columns else None
                row.cell(plain(text), style=style)
    pdf.ln(space_after)
