"""Login, logout, password change and language choice."""
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.extensions import db, limiter
from app.security import SIGNED_IN, audit, public, role_required
from app.services.core import accounts
from app.services.core import login_throttle as throttle
from app.web import set_lang_cookie, set_private_cookie
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
        result = accounts.authenticate(form.email.data, form.password.data, remote_addr=request.remote_addr,
                                       device_token=request.cookies.get(throttle.DEVICE_COOKIE))
        if result.user is None:
            # One answer for a wrong password, a missing account and a waiting attempt.
            flash(_("Wrong email or password. After several wrong attempts Sapat waits a little longer "
                    "before it checks the next one."), "error")
        else:
            session.clear()  # nothing from before the login is carried into the session
            login_user(result.user)
            resp = redirect(_safe_next(form.next.data, url_for("main.home")))
            if result.user.locale:
                set_lang_cookie(resp, result.user.locale)
            set_private_cookie(resp, throttle.DEVICE_COOKIE, result.device_token,
                               max_age=throttle.DEVICE_COOKIE_DAYS * 24 * 3600)
            return resp
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@role_required(*SIGNED_IN)
def logout():
    """Ends every session of this user, also copies of the cookie and other devices."""
    user = current_user._get_current_object()
    user.end_sessions()
    audit("logout", "user", user.id)
    db.session.commit()
    logout_user()
    session.clear()
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
@role_required(*SIGNED_IN)
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current_password.data):
            form.current_password.errors.append(_("The current password is wrong."))
        elif form.new_password.data == form.current_password.data:
            form.new_password.errors.append(_("The new password must differ from the current one."))
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
    set_lang_cookie(resp, lang)
    return resp
