"""The monthly report (月度统计): tables and bar charts (inline SVG) of a month's case work, as CSV and as
a printable PDF. The figures are broadcaster.cases.report's; this only words them."""
from __future__ import annotations

import csv
import io
from itertools import groupby

from flask import Blueprint, Response, g, render_template, request

from broadcaster.cases.report import KINDS, SCORES, duration, monthly_report, parse_month, rows
from broadcaster.cases.report_pdf import cjk_font, render_pdf
from broadcaster.errors import ValidationError
from web.auth import DESK, require
from web.caseforms import word, work
from web.i18n import N_all, t

bp = Blueprint("reports", __name__, url_prefix="/cases/report")

KIND_NAMES = {"person": "Missing person", "lost_item": "Lost property", "complaint": "Complaint",
              "incident": "Incident"}
MEASURES = N_all({"count": "Number of cases", "resolved": "Resolved",
                  "median time to resolve": "Median time to resolve", "children": "Children", "reunited": "Reunited",
                  "reunited within 10 min": "Reunited within 10 minutes",
                  "reunited within 30 min": "Reunited within 30 minutes", "closed": "Closed cases",
                  "taken to hospital": "Taken to hospital", "follow-up visits": "Follow-up visits made",
                  "visits not reached": "Follow-up calls that did not reach the visitor",
                  "average satisfaction": "Satisfaction with the result (average, 1-5)",
                  "average attitude": "Staff attitude (average, 1-5)",
                  "average timeliness": "Timeliness (average, 1-5)"})
UNITS = N_all({"min": "minutes", "h": "hours", "d": "days"})


def words(value: str) -> str:
    """A duration's unit in the staff's language ("3.5 h" -> "3.5 小时")."""
    number, _, unit = value.partition(" ")
    return f"{number} {t(UNITS[unit])}" if unit in UNITS else value


def worded(report: dict) -> list[tuple[str, str, str]]:
    out = []
    for kind, measure, value in rows(report):
        head, _, what = measure.partition(": ")
        label = f"{t(head.capitalize())}: {word(what)}" if what else t(MEASURES.get(measure, measure))
        out.append((t(KIND_NAMES[kind]), label, words(value)))
    return out


def charts(report: dict) -> dict[str, list[tuple[str, float]]]:
    k, sat = report["kinds"], report["satisfaction"]
    person = k["person"]
    return {
        t("Cases per kind"): [(t(KIND_NAMES[kind]), k[kind]["count"]) for kind in KINDS],
        t("Complaint categories"): [(word(cat), n) for cat, n in k["complaint"]["by_category"].items()],
        t("Missing persons reunited"): [(t("within 10 minutes"), person["within_10"]),
                                        (t("within 30 minutes"), person["within_30"]),
                                        (t("Reunited"), person["reunited"]), (t("Number of cases"), person["count"])],
        t("Follow-up satisfaction (average, 1-5)"): [(f"{t(KIND_NAMES[kind])} · {t(score.capitalize())}",
                                                     sat[kind][score] or 0)
                                                    for kind in KINDS if sat[kind]["visits"] for score in SCORES],
    }


def month_of(value: str | None) -> tuple[int, int, str | None]:
    s = work().pa
    try:
        year, month = parse_month(value, s.clock.now(), s.tz)
        return year, month, None
    except ValidationError:
        year, month = parse_month(None, s.clock.now(), s.tz)
        return year, month, t("Use a month like 2026-11.")


@bp.get("/")
@require(*DESK)
def month():
    year, mon, error = month_of(request.args.get("month"))
    report = monthly_report(work().pa.db, year, mon, work().pa.tz)
    groups = [(kind, [row[1:] for row in rows]) for kind, rows in groupby(worded(report), key=lambda row: row[0])]
    return render_template("cases/report.html", report=report, groups=groups, charts=charts(report),
                           kinds=KINDS, kind_names=KIND_NAMES, error=error, asked=request.args.get("month", ""),
                           duration=lambda m: words(duration(m))), 400 if error else 200


@bp.get("/<int:year>-<int:mon>.csv")
@require(*DESK)
def csv_file(year: int, mon: int):
    report = monthly_report(work().pa.db, year, mon, work().pa.tz)
    buf = io.StringIO()
    out = csv.writer(buf)
    out.writerow([t("Month"), t("Case kind"), t("Measure"), t("Value")])
    for row in worded(report):
        out.writerow([report["month"], *row])
    resp = Response("\ufeff" + buf.getvalue(), mimetype="text/csv; charset=utf-8")  # BOM: Excel reads UTF-8
    resp.headers["Content-Disposition"] = f'attachment; filename="desk-report-{report["month"]}.csv"'
    return resp


@bp.get("/<int:year>-<int:mon>.pdf")
@require(*DESK)
def pdf_file(year: int, mon: int):
    report = monthly_report(work().pa.db, year, mon, work().pa.tz)
    if cjk_font() is None:  # no font for Chinese on this machine: the PDF in English
        g.pa_lang = "en"
    data, _ = render_pdf(report, worded(report), t("Visitor services: monthly report {month}", month=report["month"]),
                         translate=t, charts=charts(report))
    resp = Response(data, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'inline; filename="desk-report-{report["month"]}.pdf"'
    return resp
