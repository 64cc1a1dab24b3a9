"""Login, logout, password change and language choice."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.extensions import db, limiter
from app.security import STAFF, audit, public, role_required
from app.services.core import accounts
from forms.auth import ChangePasswordForm, LanguageForm, LoginForm

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None, fallback: str) -> str:
    """Only same-site relative paths are followed after login or a language switch."""
    if not target:
        return fallback
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return fallback
    return target


def _login_limit():
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(_login_limit, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        result = accounts.authenticate(
            form.email.data, form.password.data,
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lockout_minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"],
            remote_addr=request.remote_addr,
        )
        if result.locked:
            flash(_("Too many wrong passwords: the account is locked for %(minutes)d minutes.",
                    minutes=current_app.config["LOGIN_LOCKOUT_MINUTES"]), "error")
        elif result.user is None:
            flash(_("Wrong email or password."), "error")
        else:
            login_user(result.user)
            resp = redirect(_safe_next(form.next.data, url_for("main.home")))
            if result.user.locale:
                resp.set_cookie("lang", result.user.locale, max_age=365 * 24 * 3600, samesite="Lax")
            return resp
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required(*STAFF)
def logout():
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@role_required(*STAFF)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        else:
            current_user.set_password(form.new_password.data)
            audit("update", "user.password", current_user.id)
            db.session.commit()
            login_user(current_user._get_current_object())  # new session version: keep only this session
            flash(_("Your password has been changed."), "success")
            return redirect(url_for("main.home"))
    return render_template("auth/password.html", form=form)


@bp.route("/language", methods=["POST"])
@public
def set_language():
    form = LanguageForm()
    target = _safe_next(form.next.data or request.referrer and urlsplit(request.referrer).path,
                        url_for("main.home"))
    if not form.validate_on_submit():
        return redirect(target)
    lang = form.lang.data
    if current_user.is_authenticated:
        current_user.locale = lang
        db.session.commit()
    resp = redirect(target)
    resp.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return resp
