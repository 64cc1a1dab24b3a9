"""What the hostile-upload tests share: the upload routes by kind and how to post to them."""
import io

from sqlalchemy import func, select

from app.extensions import db
from app.models import ExpertScore, Mark, Student

UPLOADS = {
    # kind: (path, form field, role)
    "roster": ("/admin/roster", "file", "deputy"),
    "marks": ("/achievement/import", "file", "teacher"),
    "expert": ("/exports/expert/import", "files", "expert"),
}
EXPERT_SHEET = "Expert assessment"


def post_file(client, kind, content: bytes, name="upload.xlsx", lang="en"):
    path, field, _role = UPLOADS[kind]
    return client.post(path, data={field: (io.BytesIO(content), name)}, content_type="multipart/form-data",
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
