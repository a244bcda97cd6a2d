"""The monthly report as a printable A4 PDF (fpdf2, pure Python): a title, a bar chart of the cases per
kind, one of the complaint categories, and a table of every figure. Chinese needs a CJK font, embedded
(subset) in the file so it prints anywhere: WenQuanYi Micro Hei (Debian ``fonts-wqy-microhei``,
installed by ./run and ./test) or Noto Sans CJK, or any TTF/TTC named by ``PA_CJK_FONT``. Without one the
report is written in English.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable

CJK_FONTS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
             "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc")
BAR = (31, 95, 191)


def cjk_font() -> Path | None:
    for candidate in (os.environ.get("PA_CJK_FONT"), *CJK_FONTS):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def render_pdf(report: dict, rows: list[tuple[str, str, str]], title: str,
               translate: Callable[[str], str] = lambda text: text, charts: dict | None = None) -> tuple[bytes, bool]:
    """The PDF's bytes, and whether it could use the staff's language (a CJK font was found).
    ``rows``: (kind, measure, value) already in words; ``charts``: chart title -> [(label, number)]."""
    from fpdf import FPDF

    font = cjk_font()
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    if font is not None:
        pdf.add_font("cjk", fname=str(font), collection_font_number=0) if font.suffix == ".ttc" \
            else pdf.add_font("cjk", fname=str(font))
        family = "cjk"
    else:  # the core font knows Latin-1 only
        family = "helvetica"

        def translate(text: str) -> str:
            return str(text).replace("–", "-").encode("latin-1", "replace").decode("latin-1")

        rows = [tuple(translate(x) for x in row) for row in rows]
        charts = {translate(k): [(translate(a), b) for a, b in v] for k, v in (charts or {}).items()}
    pdf.set_font(family, size=16)
    pdf.cell(0, 10, translate(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=10)
    for chart_title, bars in (charts or {}).items():
        _bars(pdf, family, chart_title, bars)
    pdf.ln(2)
    widths = (45, 95, 40)

    def head() -> None:
        pdf.set_fill_color(230, 233, 240)
        for text, w in zip(("Case kind", "Measure", "Value"), widths):
            pdf.cell(w, 7, translate(text), border=1, fill=True)
        pdf.ln()

    head()
    for kind, measure, value in rows:
        if pdf.will_page_break(6):
            pdf.add_page()
            head()
        for text, w in zip((kind, measure, value), widths):
            pdf.cell(w, 6, text[:60], border=1)
        pdf.ln()
    return bytes(pdf.output()), font is not None


def _bars(pdf, family: str, title: str, bars: list[tuple[str, float]]) -> None:
    """A horizontal bar chart: label, bar scaled to the largest value, the value."""
    pdf.set_font(family, size=12)
    pdf.cell(0, 9, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(family, size=9)
    top = max([v for _, v in bars] + [1])
    for label, value in bars:
        y = pdf.get_y()
        pdf.cell(50, 6, str(label)[:28])
        width = 110 * (value / top)
        pdf.set_fill_color(*BAR)
        if width > 0:
            pdf.rect(pdf.l_margin + 50, y + 1, width, 4, style="F")
        pdf.set_xy(pdf.l_margin + 50 + max(width, 0) + 2, y)
        pdf.cell(20, 6, f"{value:g}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
