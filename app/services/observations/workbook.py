"""The observations workbook: a sheet per protocol with one row per observation (every
criterion score, total, %), summaries by teacher, criterion, MA, purpose and observer, and
the comments. Only current final versions count. Every text cell is write_string. A criterion
answered "not applicable" shows as such and counts in no total (aggregates.py)."""
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import aliased

from app.extensions import db
from app.i18n import current_language, pick_text
from app.models import AcademicYear, ClassGroup, Instrument, Observation, ObservationScore, School, Subject, User
from app.security import Principal
from app.services.exports.core import DATE, INT, MEAN, PCT, TEXT, Column, WorkbookWriter
from app.services.observations import aggregates, agreement
from app.services.observations.access import counted
from app.services.observations.labels import KIND_LABELS, PURPOSE_LABELS
from app.services.observations.protocols import PROTOCOL_KINDS, criterion_labels, protocol_of, protocols
from surveys.items import REGISTRY

# Item kinds whose text in observation_score is something a person wrote (a text answer, or
# a comment on a scored item); an option's key is not a comment.
WRITTEN_KINDS = tuple(name for name, cls in REGISTRY.items() if cls.storage not in ("option", "options"))


def _subject_name(subject_name, subject_name_ru, lang):
    return (subject_name_ru if lang == "ru" and subject_name_ru else subject_name) or ""


def _share(value):
    return None if value is None else round(100 * value, 1)


def _kappa(value):
    return None if value is None else round(value, 2)


def _agreement_sheets(book: WorkbookWriter, actor: Principal, year_id: int, labels: dict, titles: dict) -> None:
    """"Agreement" (all joint lessons, then per criterion) and "Observer calibration" (per
    observer against the others), the figures of the calibration page (agreement.py)."""
    lessons = agreement.joint_lessons(actor, year_id)
    stat_columns = [Column(_("Pairs"), INT, 8), Column(_("Exact agreement, %"), PCT, 12),
                    Column(_("Within one level, %"), PCT, 12), Column(_("Weighted kappa"), MEAN, 10)]
    sheet = book.add_table(_("Agreement"), _("Agreement of observers on joint lessons"),
                           [Column(_("Protocol"), TEXT, 22), Column(_("Criterion"), TEXT, 50),
                            Column(_("Joint lessons"), INT, 10), *stat_columns, Column(_("Fleiss' kappa"), MEAN, 10)],
                           _("Lessons observed by two or more observers. A pair = two observers' levels on the same "
                             "criterion of the same lesson. Exact = equal levels / pairs; within one = levels at most "
                             "one apart / pairs; weighted kappa = Cohen's kappa, quadratic weights w = (i-j)^2/(k-1)^2: "
                             "1 - sum(w x observed) / sum(w x expected by chance) (Cohen 1968), over lessons with "
                             "exactly two observers. The first row is every criterion together.") + " " +
                           _("Fleiss' kappa, for lessons with three or more observers: (P - Pe) / (1 - Pe), P = the "
                             "observers' mean agreement on a criterion, Pe = the sum of the squared shares of each "
                             "level (Fleiss 1971)."))
    total = agreement.overall(lessons)
    sheet.write_row([_("All protocols"), _("All criteria"), len(lessons), total.n, _share(total.exact),
                     _share(total.within_one), _kappa(total.kappa), _kappa(total.fleiss)])
    for row in agreement.by_criterion(lessons):
        text = labels.get((row["protocol"], row["item"]), (row["item"],))[0]
        st = row["stats"]
        sheet.write_row([titles.get(row["protocol"], row["protocol"]), text, row["lessons"], st.n, _share(st.exact),
                         _share(st.within_one), _kappa(st.kappa), _kappa(st.fleiss)])
    sheet.finish()
    sheet = book.add_table(_("Observer calibration"), _("Each observer against the others on joint lessons"),
                           [Column(_("Observer"), TEXT, 28), Column(_("Joint lessons"), INT, 10), *stat_columns,
                            Column(_("Mean difference"), MEAN, 12)],
                           _("Each observer's levels paired with every other observer's levels on the same criteria "
                             "of the same lessons. Mean difference = mean(own - other) in levels: above 0 the "
                             "observer scores higher than colleagues."))
    for row in agreement.calibration(lessons):
        st = row["stats"]
        sheet.write_row([row["name"], row["lessons"], st.n, _share(st.exact), _share(st.within_one), _kappa(st.kappa),
                         _kappa(st.mean_difference)])
    sheet.finish()


def build_workbook(target, *, actor: Principal, year_id: int, lang: Optional[str] = None) -> dict:
    """Write the workbook of the observations `actor` may see (`access.counted`) to `target`
    (a path or a binary stream); the sheets by MA and by observer only for the whole-school
    roles. Returns row counts."""
    school = db.session.get(School, actor.school_id)
    year = db.session.get(AcademicYear, year_id)
    counts = {"observations": 0}
    labels = criterion_labels(lang)
    not_applicable = _("not applicable")
    observer = aliased(User)
    teacher = aliased(User)
    with WorkbookWriter(target, school=school, school_name=school.name, period=_("Academic year %(year)s", year=year.name),
                        filters={_("Counted"): _("final observations, latest amended version")}) as book:
        for instrument in protocols():
            protocol = protocol_of(instrument)
            criteria = protocol.criteria
            # Checks and numbers: every other answer with a score or a number, one column each.
            others = [(item, part) for item in protocol.items() if item.type != "criterion"
                      and item.storage in ("score", "number") for part in item.parts(lang or current_language())]
            columns = [Column(_("Teacher"), TEXT, 28), Column(_("Class"), TEXT, 8), Column(_("Subject"), TEXT, 18),
                       Column(_("Date"), DATE, 11), Column(_("Observer"), TEXT, 24), Column(_("Purpose"), TEXT, 20),
                       Column(_("Topic"), TEXT, 24), Column(_("Version"), INT, 8)]
            columns += [Column(pick_text(c.text, lang), INT, 12) for c in criteria]
            columns += [Column(part.label, INT if item.storage == "score" else MEAN, 12) for item, part in others]
            columns += [Column(_("Total points"), INT, 10), Column(_("Maximum"), INT, 10), Column(_("Percent"), PCT, 8),
                        Column(_("Acknowledged by the teacher"), TEXT, 12)]
            sheet_name = str(KIND_LABELS.get(PROTOCOL_KINDS.get(protocol.key, ""), "")) or protocol.key
            sheet = book.add_table(
                sheet_name, pick_text(protocol.title, lang), columns,
                _("One row per observation with this protocol: every criterion score (%(range)s), total, "
                  "maximum and percentage of the maximum. Yes/no checks are 1/0.",
                  range=", ".join(sorted({"{:g}–{:g}".format(*c.score_range()) for c in criteria}))))
            ids = select(Instrument.id).where(Instrument.key == instrument.key)
            conds = counted(actor, year_id) + [Observation.instrument_id.in_(ids)]
            obs_rows = db.session.execute(
                select(Observation.id, teacher.full_name, ClassGroup.grade, ClassGroup.letter, Subject.name,
                       Subject.name_ru, Observation.observed_on, observer.full_name, Observation.purpose,
                       Observation.topic, Observation.version, Observation.acknowledged_at)
                .join(teacher, teacher.id == Observation.teacher_id)
                .join(observer, observer.id == Observation.observer_id)
                .outerjoin(ClassGroup, ClassGroup.id == Observation.class_id)
                .outerjoin(Subject, Subject.id == Observation.subject_id)
                .where(*conds).order_by(Observation.observed_on, Observation.id)).all()
            scores: dict[int, dict[str, tuple]] = {}
            for oid, key, score, number, na in db.session.execute(
                    select(ObservationScore.observation_id, ObservationScore.item_key, ObservationScore.score,
                           ObservationScore.number, ObservationScore.not_applicable)
                    .join(Observation, Observation.id == ObservationScore.observation_id).where(*conds)):
                scores.setdefault(oid, {})[key] = (not_applicable if na else score, number)
            totals = aggregates.totals_by_observation(actor, year_id)
            for (oid, tname, grade, letter, sname, sname_ru, on, oname, purpose, topic, version, ack) in obs_rows:
                got = scores.get(oid, {})
                points, maximum, pct = totals.get(oid, (None, None, None))
                values = [tname, f"{grade}-{letter}" if grade else "", _subject_name(sname, sname_ru, lang), on,
                          oname, str(PURPOSE_LABELS.get(purpose, purpose)), topic or "", version]
                values += [got.get(c.key, (None, None))[0] for c in criteria]
                values += [got.get(part.key, (None, None))[0 if item.storage == "score" else 1] for item, part in others]
                values += [points, maximum, pct, _("yes") if ack else _("no")]
                sheet.write_row(values)
                counts["observations"] += 1
            sheet.finish()

        sheet = book.add_table(_("By teacher"), _("Summary by teacher"),
                               [Column(_("Teacher"), TEXT, 30), Column(_("Observations"), INT, 12),
                                Column(_("Percent of maximum"), PCT, 12)],
                               _("Per observed teacher: number of lessons observed and the percentage of the maximum "
                                 "over all their criterion scores (sum of points / sum of maxima · 100); a lesson "
                                 "observed by several observers counts once, with their mean score per criterion."))
        for row in aggregates.by_teacher(actor, year_id):
            sheet.write_row([row["name"], row["count"], row["pct"]])
        sheet.finish()

        sheet = book.add_table(_("By criterion"), _("Summary by criterion, weakest first"),
                               [Column(_("Protocol"), TEXT, 22), Column(_("Section"), TEXT, 24),
                                Column(_("Criterion"), TEXT, 50), Column(_("Scores"), INT, 8),
                                Column(_("Mean score"), MEAN, 10), Column(_("Percent of maximum"), PCT, 12)],
                               _("Per criterion across the school: number of scores, mean score and percentage "
                                 "of the maximum; sorted from the weakest."))
        titles = {i.key: pick_text(protocol_of(i).title, lang) for i in protocols()}
        for row in aggregates.by_criterion(actor, year_id):
            text, section = labels.get((row["protocol"], row["item"]), (row["item"], row["section"]))
            sheet.write_row([titles.get(row["protocol"], row["protocol"]), section, text, row["count"],
                             row["mean"], row["pct"]])
        sheet.finish()

        if actor.everything:
            sheet = book.add_table(_("By MA"), _("Summary by methodical association"),
                                   [Column(_("Methodical association"), TEXT, 34), Column(_("Observations"), INT, 12),
                                    Column(_("Percent of maximum"), PCT, 12)],
                                   _("Observations whose subject belongs to the methodical association."))
            for row in aggregates.by_ma(actor, year_id):
                name = row["name_ru"] if lang == "ru" and row["name_ru"] else row["name"]
                sheet.write_row([name, row["count"], row["pct"]])
            sheet.finish()

        sheet = book.add_table(_("By purpose"), _("Summary by purpose and level"),
                               [Column(_("Purpose"), TEXT, 34), Column(_("Observations"), INT, 12),
                                Column(_("Percent of maximum"), PCT, 12)],
                               _("Observations by purpose, including open lessons at school, district and city level."))
        for row in aggregates.by_purpose(actor, year_id):
            sheet.write_row([str(PURPOSE_LABELS.get(row["purpose"], row["purpose"])), row["count"], row["pct"]])
        sheet.finish()

        if actor.everything:
            sheet = book.add_table(_("Observers"), _("Observations made against the plan"),
                                   [Column(_("Observer"), TEXT, 30), Column(_("Final"), INT, 10),
                                    Column(_("Drafts"), INT, 10), Column(_("Planned"), INT, 10),
                                    Column(_("Percent of plan"), PCT, 10)],
                                   _("Per observer: final observations and open drafts this year against the plan."))
            for row in aggregates.observers_vs_plan(actor, year_id):
                sheet.write_row([row["name"], row["done"], row["drafts"], row["planned"], row["pct"]])
            sheet.finish()

        if actor.everything:
            _agreement_sheets(book, actor, year_id, labels, titles)

        sheet = book.add_table(_("Comments"), _("Strengths, recommendations and comments"),
                               [Column(_("Teacher"), TEXT, 26), Column(_("Date"), DATE, 11),
                                Column(_("Protocol"), TEXT, 20), Column(_("About"), TEXT, 30),
                                Column(_("Comment"), TEXT, 80)],
                               _("Every text written in the observations: strengths, recommendations, notes on "
                                 "criteria and the teacher's comment when acknowledging."))
        comment_rows = db.session.execute(
            select(Observation.id, teacher.full_name, Observation.observed_on, Instrument.key,
                   ObservationScore.item_key, ObservationScore.item_kind, ObservationScore.text)
            .join(teacher, teacher.id == Observation.teacher_id)
            .join(Instrument, Instrument.id == Observation.instrument_id)
            .join(ObservationScore, ObservationScore.observation_id == Observation.id)
            .where(*counted(actor, year_id), ObservationScore.text.is_not(None),
                   ObservationScore.item_kind.in_(WRITTEN_KINDS))
            .order_by(Observation.observed_on, Observation.id, ObservationScore.position)).all()
        for _oid, tname, on, key, item_key, _kind, text in comment_rows:
            about = labels.get((key, item_key), (item_key,))[0]
            sheet.write_row([tname, on, titles.get(key, key), about, text])
        for tname, on, key, comment in db.session.execute(
                select(teacher.full_name, Observation.observed_on, Instrument.key, Observation.teacher_comment)
                .join(teacher, teacher.id == Observation.teacher_id)
                .join(Instrument, Instrument.id == Observation.instrument_id)
                .where(*counted(actor, year_id), Observation.teacher_comment.is_not(None))
                .order_by(Observation.observed_on, Observation.id)):
            sheet.write_row([tname, on, titles.get(key, key), _("Teacher's comment"), comment])
        sheet.finish()
    return counts
