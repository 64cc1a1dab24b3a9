"""What the hostile-upload tests share: the upload routes by kind and how to post to them."""
import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import ExpertScore, Mark, Student, TeachingAssignment, Term, User

UPLOADS = {
    # kind: (path, form field, role)
    "roster": ("/admin/roster", "file", "deputy"),
    "marks": ("/achievement/import", "file", "teacher"),
    "expert": ("/exports/expert/import", "files", "expert"),
    # the class journal of the teacher's first lesson (7-А maths), the first quarter
    "journal": ("/achievement/import/journal", "file", "teacher"),
}


def _journal_args() -> dict:
    """?lesson=<class>-<subject>&term=<id> of the first lesson of a user named teacher@..."""
    lesson = db.session.scalars(select(TeachingAssignment).join(User, User.id == TeachingAssignment.teacher_id)
                                .where(User.email.like("teacher@%")).order_by(TeachingAssignment.id)).first()
    term = db.session.scalars(select(Term).where(Term.year_id == lesson.year_id).order_by(Term.number)).first()
    return {"lesson": f"{lesson.class_id}-{lesson.subject_id}", "term": term.id}
EXPERT_SHEET = "Expert assessment"


def post_file(client, kind, content: bytes, name="upload.xlsx", lang="en"):
    path, field, _role = UPLOADS[kind]
    return client.post(path, query_string=_journal_args() if kind == "journal" else None,
                       data={field: (io.BytesIO(content), name)}, content_type="multipart/form-data",
                       headers={"Accept-Language": lang})


def for_kind(kind: str, builder, *args) -> bytes:
    """The bomb `builder(*args)` with its one sheet named as the upload expects (the expert
    reader looks for its sheet by name)."""
    return builder(*args, sheet_name=EXPERT_SHEET if kind == "expert" else "Sheet1")


def stored_rows() -> tuple[int, int, int]:
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Student.id))), db.session.scalar(select(func.count(Mark.id))),
            db.session.scalar(select(func.count(ExpertScore.id))))


def cached(builder):
    cache = {}

    def build(sheet_name="Sheet1"):
        if sheet_name not in cache:
            cache[sheet_name] = builder(sheet_name=sheet_name)
        return cache[sheet_name]
    return build
