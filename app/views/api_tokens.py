"""The API tokens page (/api/tokens): a school's director or deputy, or a district's staff, makes
named tokens of the read API (each shown once) valid for the days they choose, sees when each was
last used and when it expires, and revokes them.
Thin: the rules are in app/services/api/tokens.py."""
from flask import Blueprint, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user

from app.extensions import db
from app.security import role_required
from app.services.api import tokens
from forms.api import RevokeForm, TokenForm

bp = Blueprint("api_tokens", __name__, url_prefix="/api/tokens")
SHOWN = "api_token_shown"


@bp.route("/", methods=["GET", "POST"])
@role_required(*tokens.HOLDERS)
def index():
    form = TokenForm()
    if form.validate_on_submit():
        try:
            row, secret = tokens.create(current_user, form.name.data, days=form.lifetime.data,
                                        remote_addr=request.remote_addr)
        except tokens.TokenError as error:
            db.session.rollback()
            form.name.errors.append(str(error))
        else:
            db.session.commit()
            session[SHOWN] = secret  # shown once, on the page this redirects to
            flash(_("The token %(name)s is made; it is valid until %(date)s. Copy it now: it is not shown again.",
                    name=row.name, date=format_date(row.expires_at, "dd.MM.yyyy")), "success")
            return redirect(url_for("api_tokens.index"), code=303)
    elif request.method == "POST" and not form.errors:
        abort(400)
    return render_template("api/tokens.html", form=form, rows=tokens.tokens_of(current_user.id),
                           revoke_form=RevokeForm(formdata=None), scope=_scope_label(),
                           new_token=session.pop(SHOWN, None) if request.method == "GET" else None)


@bp.route("/revoke", methods=["POST"])
@role_required(*tokens.HOLDERS)
def revoke():
    form = RevokeForm()
    if not form.validate_on_submit():
        abort(400)
    row = tokens.revoke(current_user, form.token_id.data, remote_addr=request.remote_addr)
    if row is None:
        abort(404)
    db.session.commit()
    flash(_("The token %(name)s is revoked: it opens nothing any more.", name=row.name), "success")
    return redirect(url_for("api_tokens.index"), code=303)


def _scope_label() -> str:
    if current_user.school_id is not None:
        return _("A token reads the figures of your school.")
    return _("A token reads the figures of your district's schools.")
