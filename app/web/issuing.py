"""Issuing a document from a view: store it as issued with the signed-in user as its author, then
show it. The school's documents (app/services/monitoring/issued.py: the annual report and note, the
quarter report, the methodical association's report) go through `store_and_show`; the district's
report (app/services/district/report.py) through `issue_and_show` with its own service and page."""
from typing import Callable

from flask import redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from app.i18n import current_language
from app.services.monitoring import issued
from app.web.changes import commit_change


def issue_and_show(issue: Callable, back: str, show: Callable, *, code: int = 302, **fields):
    """`issue(**fields)` by the current user, committed, then a redirect to `show(doc)`, the issued
    document's page; when another issue of the same version was saved at the same moment (the unique
    version), nothing is kept and the user goes `back` with a message to issue again."""
    return commit_change(
        lambda: issue(author_id=current_user.id, author_name=current_user.full_name,
                      remote_addr=request.remote_addr, **fields),
        IntegrityError, says=lambda error: _("Another issue of this document was saved at the same moment: "
                                             "issue it again."),
        success=lambda doc: _("Issued: No. %(number)s, version %(n)d.", number=doc.number, n=doc.version),
        to=show, code=code) or redirect(back, code=code)


def store_and_show(back: str, **fields):
    """A school's document: `issued.issue(**fields)` in the user's language, shown on its page."""
    return issue_and_show(issued.issue, back, lambda doc: url_for("issued.document", doc_id=doc.id),
                          lang=current_language(), **fields)
