"""The quarter report as a Word document (python-docx): the same sections and figures as the
printable page (templates/achievement/quarter/_body.html), A4 with narrow margins, so that a
school can file and edit it in Word. User text goes in as plain runs (never fields)."""
import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt
from flask_babel import gettext as _

from app.i18n import localized_name
from app.services.achievement.quarter import GROUP_LABELS, GROUPS, INDICATORS, QuarterReport, count_delta, delta, fmt


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        cell.paragraphs[0].add_run(str(text)).bold = True
    for values in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values):
            cell.text = str(text)
    return table


def _period(term) -> str:
    return f"{term.label} {term.year.name}" if term is not None else "—"


def _indicator_rows(report: QuarterReport, rows) -> list[list[str]]:
    out = []
    for row in rows:
        values = [row.label or _("Total"), str(row.m.n)]
        for name, _label, digits in INDICATORS:
            now = getattr(row.m, name)
            text = fmt(now, digits)
            if report.previous or report.last_year:
                before = getattr(row.previous, name) if row.previous else None
                year_ago = getattr(row.last_year, name) if row.last_year else None
                text += f" ({delta(now, before, digits)} / {delta(now, year_ago, digits)})"
            values.append(text)
        out.append(values)
    return out


def build_docx(report: QuarterReport, school, lang: str) -> io.BytesIO:
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(15))
    doc.styles["Normal"].font.size = Pt(10)

    doc.add_heading(_("Quarter report to the pedagogical council"), level=1)
    school_name = school.name if lang == "ky" or not school.name_ru else school.name_ru
    where = _("class %(name)s", name=report.cls.name) if report.cls else _("the whole school")
    doc.add_paragraph(f"{school_name} · {report.term.label}, {report.term.year.name} · {where}")
    if report.partial:
        doc.add_paragraph(_("Counted over the classes and subjects you see, not the whole school."))

    doc.add_heading(_("Students by their term marks"), level=2)
    header = [_("Class"), _("Students"), *[str(GROUP_LABELS[g]) for g in GROUPS]]
    rows = [[c.name, str(g.students), *[str(g.count(k)) for k in GROUPS]] for c, g in report.classes]
    if not report.cls:
        rows.append([_("Total"), str(report.total.students), *[str(report.total.count(k)) for k in GROUPS]])
    for term, other in ((report.previous, report.total_previous), (report.last_year, report.total_last_year)):
        if other:
            rows.append([_("Change since %(term)s", term=_period(term)), "",
                         *[count_delta(report.total.count(k), other[k]) for k in GROUPS]])
    _table(doc, header, rows)
    doc.add_paragraph(_("Failing: at least one term mark of 2. Not assessed: no 2 but a term mark н, or no term "
                        "mark at all. The changes compare the same students."))

    doc.add_heading(_("Lists of students"), level=2)
    for cls, groups in report.classes:
        doc.add_heading(cls.name, level=3)
        listed = [k for k in GROUPS if groups.names[k]]
        for key in listed:
            paragraph = doc.add_paragraph()
            paragraph.add_run(f"{GROUP_LABELS[key]} ({groups.count(key)}): ").bold = True
            paragraph.add_run(", ".join(groups.names[key]))
        if not listed:
            doc.add_paragraph(_("No students."))

    doc.add_heading(_("Pass rate, quality, SOU and mean mark"), level=2)
    if report.previous or report.last_year:
        doc.add_paragraph(_("Under each figure: the change since %(previous)s / since %(last)s.",
                            previous=_period(report.previous), last=_period(report.last_year)))
    header_tail = [f"{label}, %" if name != "mean" else str(label) for name, label, _digits in INDICATORS]
    sections = [] if report.cls else [(_("By class"), _("Class"), report.by_class)]
    sections += [(_("By subject"), _("Subject"), report.by_subject), (_("By teacher"), _("Teacher"), report.by_teacher),
                 (_("Total"), "", [report.overall])]
    for heading, first, rows in sections:
        doc.add_heading(heading, level=3)
        _table(doc, [first, _("Term marks"), *header_tail], _indicator_rows(report, rows))

    doc.add_heading(_("Per-task analysis of control works"), level=2)
    for work in report.works:
        a = work.assessment
        title = f"{a.class_group.name}, {localized_name(a.subject)}, {a.date.strftime('%d.%m.%Y')}"
        doc.add_heading(f"{title}: {a.topic}" if a.topic else title, level=3)
        _table(doc, [_("Task"), _("Topic"), _("Max points"), _("Wrote"), _("Solved fully") + ", %",
                     _("Partly") + ", %", _("Not at all") + ", %"],
               [[str(t.task.number), t.task.topic or "", f"{t.task.max_points:g}", str(t.n), fmt(t.full_pct),
                 fmt(t.partly_pct), fmt(t.none_pct)] for t in work.shares])
        if work.analysis:
            for label, text in ((_("Analysis"), work.analysis.analysis), (_("Planned correction"),
                                                                         work.analysis.correction)):
                paragraph = doc.add_paragraph()
                paragraph.add_run(f"{label}: ").bold = True
                paragraph.add_run(text)
    if not report.works:
        doc.add_paragraph(_("No control work of this quarter has tasks with points."))

    out = io.BytesIO()
    doc.save(out)
    out.seek(0)
    return out
