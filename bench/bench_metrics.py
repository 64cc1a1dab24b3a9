"""All achievement metrics of the large demo (2,000 students, 80 classes, 20 subjects, two
years of marks): every class x subject x term and every roll-up, in SQL, against a plain
Python loop over all marks computing the same figures; and a quarter's control works imported
from an .xlsx, against reading that file. SQLite always; PostgreSQL too when 127.0.0.1:5432
answers (in a fresh database that is dropped afterwards)."""
import json
import os
import resource
import shutil
import socket
import statistics
import tempfile
import time
import uuid

PG_ADMIN_URL = os.environ.get("PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/test")
REPEAT = 5


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _app(url: str):
    from app import create_app
    from config import TestingConfig

    config = type("BenchConfig", (TestingConfig,), {"SQLALCHEMY_DATABASE_URI": url})
    return create_app(config)


def python_loop(school_id: int) -> dict:
    """The baseline: fetch every mark once and aggregate every grouping in Python."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Assessment, ClassGroup, Mark, Subject, TeachingAssignment
    from app.services.achievement.metrics import python_metrics

    grade = dict(db.session.execute(select(ClassGroup.id, ClassGroup.grade).where(
        ClassGroup.school_id == school_id)).all())
    ma = dict(db.session.execute(select(Subject.id, Subject.ma_id).where(Subject.school_id == school_id)).all())
    teachers: dict = {}
    for c, s, t in db.session.execute(select(TeachingAssignment.class_id, TeachingAssignment.subject_id,
                                             TeachingAssignment.teacher_id).where(
            TeachingAssignment.school_id == school_id)):
        teachers.setdefault((c, s), []).append(t)
    rows = db.session.execute(
        select(Assessment.id, Assessment.term_id, Assessment.class_id, Assessment.subject_id, Assessment.kind,
               Mark.value, Mark.absent)
        .join(Mark, Mark.assessment_id == Assessment.id).where(Assessment.school_id == school_id)).all()
    internal = {"control", "test", "term", "semester", "annual"}
    groups = {name: [] for name in ("assessment", "class_subject", "class", "grade", "ma", "subject",
                                    "teacher", "school")}
    for aid, term, cls, subject, kind, value, absent in rows:
        if kind in internal:
            groups["assessment"].append((aid, value, absent))
        if kind != "term":
            continue
        groups["class_subject"].append(((term, cls, subject), value, absent))
        groups["class"].append(((term, cls), value, absent))
        groups["grade"].append(((term, grade[cls]), value, absent))
        groups["ma"].append(((term, ma[subject]), value, absent))
        groups["subject"].append(((term, subject), value, absent))
        for t in teachers.get((cls, subject), ()):
            groups["teacher"].append(((term, t), value, absent))
        groups["school"].append((term, value, absent))
    return {name: python_metrics(items) for name, items in groups.items()}, len(rows)


def _timed(fn, repeat=REPEAT):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def large_demo(add=None):
    """In an app context on an empty database: the schema, `demo --scale large` and
    `add(ctx)` if given (e.g. a campaign), committed, then fresh statistics, as autovacuum
    (PostgreSQL) or a periodic ANALYZE (SQLite) give a running server. Returns the demo's
    context, what `add` returned, and the seconds the data took to build."""
    from app.extensions import db
    from app.services.core.demo import build_demo

    db.create_all()
    start = time.perf_counter()
    ctx = build_demo(scale="large", seed=2026)
    added = add(ctx) if add else None
    db.session.commit()
    seconds = time.perf_counter() - start
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return ctx, added, seconds


def run(url: str, engine_name: str) -> list[dict]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Mark
    from app.services.achievement import metrics

    app = _app(url)
    with app.app_context():
        ctx, _nothing, build_seconds = large_demo()
        school_id = ctx.school.id
        marks = db.session.scalar(select(func.count(Mark.id)))
        metrics.all_metrics(school_id)  # warm the caches once, as a running server would have them
        sql_seconds, sql = _timed(lambda: metrics.all_metrics(school_id))
        py_seconds, (py, fetched) = _timed(lambda: python_loop(school_id))
        # The two must agree before the figures mean anything.
        for name, rows in sql.items():
            def key(m):
                k = tuple(m.keys.values())
                return k[0] if len(k) == 1 else k
            got = {key(m): m for m in rows}
            assert set(got) == set(py[name]), name
            for k, expected in py[name].items():
                for field, value in expected.items():
                    a = getattr(got[k], field)
                    assert (a is None and value is None) or abs(a - value) < 1e-6, (name, k, field, a, value)
        groups = sum(len(rows) for rows in sql.values())
        imports = import_record(ctx, engine_name)
        db.session.remove()
        db.engine.dispose()
    return [{
        "name": f"achievement_metrics_{engine_name}",
        "seconds": round(sql_seconds, 4),
        "peak_rss_mb": _rss_mb(),
        "baseline": "plain Python loop over all marks (fetch + aggregate)",
        "baseline_seconds": round(py_seconds, 4),
        "ratio": round(sql_seconds / py_seconds, 3),
        "target_seconds": 1.0,
        "within_target": sql_seconds < 1.0,
        "marks": marks,
        "groups": groups,
        "rows_fetched_by_baseline": fetched,
        "demo_build_seconds": round(build_seconds, 1),
        "repeat": REPEAT,
    }, imports]


def _control_works_file(ctx, path: str) -> tuple[int, object]:
    """An .xlsx of a control work in every class x subject taught this year, a mark for
    every student, dated in the first quarter (a deputy's import of a quarter's work)."""
    import xlsxwriter
    from sqlalchemy import select

    from app.extensions import db
    from app.models import ClassGroup, Enrollment, Student, Subject, TeachingAssignment, Term

    year = ctx.current_year
    term = db.session.scalar(select(Term).where(Term.year_id == year.id, Term.kind == "quarter")
                             .order_by(Term.number).limit(1))
    pairs = db.session.execute(
        select(ClassGroup.id, ClassGroup.grade, ClassGroup.letter, Subject.name).distinct()
        .join(TeachingAssignment, TeachingAssignment.class_id == ClassGroup.id)
        .join(Subject, Subject.id == TeachingAssignment.subject_id)
        .where(ClassGroup.year_id == year.id).order_by(ClassGroup.id, Subject.name)).all()
    students: dict[int, list[str]] = {}
    for class_id, code in db.session.execute(select(Enrollment.class_id, Student.code)
                                             .join(Student, Student.id == Enrollment.student_id)
                                             .where(Enrollment.year_id == year.id)):
        students.setdefault(class_id, []).append(code)
    on = term.starts_on.replace(day=min(term.starts_on.day + 3, 28)).strftime("%d.%m.%Y")
    book = xlsxwriter.Workbook(path, {"constant_memory": True})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["class", "student_code", "subject", "term", "kind", "date", "mark"])
    row = 0
    for class_id, grade, letter, subject in pairs:
        for code in students.get(class_id, []):
            row += 1
            sheet.write_row(row, 0, [f"{grade}-{letter}", code, subject, "1", "control", on, row % 4 + 2])
    book.close()
    return row, year


def import_record(ctx, engine_name: str) -> dict:
    """A quarter's control works imported (every row new), then the same file again (every
    row unchanged), in one transaction that is rolled back; against reading the file alone,
    which any import must do. Once each: an import takes seconds."""
    from app.extensions import db
    from app.services.achievement.imports import import_marks
    from app.services.core.xlsx_input import read_rows

    directory = tempfile.mkdtemp(prefix="sapat-bench-import-")
    try:
        path = os.path.join(directory, "marks.xlsx")
        rows, year = _control_works_file(ctx, path)

        def run_import():
            with open(path, "rb") as stream:
                report = import_marks(stream, school_id=ctx.school.id, year_id=year.id)
            assert report.ok, report.errors[:3]
            return report.counts

        def read_only():
            with open(path, "rb") as stream:
                return sum(1 for _ in read_rows(stream, {"mark": ()}, ("mark",)))

        read_seconds, read = _timed(read_only, repeat=1)
        first_seconds, first = _timed(run_import, repeat=1)
        again_seconds, again = _timed(run_import, repeat=1)
        db.session.rollback()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    assert read == rows and first["created"] == rows and again["unchanged"] == rows, (read, first, again)
    return {
        "name": f"marks_import_{engine_name}",
        "seconds": round(first_seconds, 4),
        "again_seconds": round(again_seconds, 4),
        "peak_rss_mb": _rss_mb(),
        "baseline": "reading the same file with openpyxl (read-only), no checks, no database work",
        "baseline_seconds": round(read_seconds, 4),
        "ratio": round(first_seconds / read_seconds, 3),
        "again_ratio": round(again_seconds / read_seconds, 3),
        "rows": rows,
        "assessments": first["assessments"],
    }


def _postgres_reachable() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5432), 2).close()
        return True
    except OSError:
        return False


def on_each_database(run, postgres_name: str) -> None:
    """Print `run(url, engine_name)` (a record or a list of records) as JSON lines, on a fresh
    SQLite file, then on a fresh PostgreSQL database when 127.0.0.1:5432 answers (reported
    as skipped under `postgres_name` otherwise); each is removed afterwards."""
    def emit(records):
        for record in records if isinstance(records, list) else [records]:
            print(json.dumps(record, ensure_ascii=False), flush=True)

    directory = tempfile.mkdtemp(prefix="sapat-bench-")
    try:
        emit(run(f"sqlite:///{directory}/bench.db", "sqlite"))
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    if not _postgres_reachable():
        emit({"name": postgres_name, "skipped": "127.0.0.1:5432 not reachable"})
        return
    import psycopg

    name = f"sapat_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        base = PG_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        emit(run(f"{base}/{name}", "postgresql"))
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    on_each_database(run, "achievement_metrics_postgresql")


if __name__ == "__main__":
    main()
