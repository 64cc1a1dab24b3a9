"""Once-only forms: a state-changing form carries a token that may be spent once.

Every form whose repetition would change data again (create, issue, import, add, status
changes) renders `{{ once_field() }}` next to its CSRF token. The token is
`<random>.<minutes since epoch>.<signature>`, signed for the signed-in user (a token of
another user or a forged one is refused like a spent one). Before the view runs, a POST
carrying `_once` inserts the token into spent_token and commits; a second POST of the same
page (refresh, double click, Back and send, two tabs of one page) finds it there, changes
nothing and is redirected (303) to the page it came from with "This form was already sent;
nothing was changed again." The primary key decides between two simultaneous POSTs (the
second insert waits for the first and fails). A token lives TOKEN_MINUTES; older rows are
deleted as new tokens are spent. The token is spent even when the form is then refused:
the page shown again carries a fresh token.
"""
import hashlib
import hmac
import secrets
import time
from datetime import timedelta

from flask import Flask, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import SpentToken
from app.services.core import clock

FIELD = "_once"
TOKEN_MINUTES = 2 * 24 * 60


def _owner() -> str:
    return str(current_user.id) if current_user.is_authenticated else "-"


def _signature(nonce: str, minute: str) -> str:
    message = f"once:{_owner()}:{nonce}:{minute}".encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), message, hashlib.sha256).hexdigest()[:24]


def new_token() -> str:
    """A fresh token for one rendering of a form."""
    nonce, minute = secrets.token_hex(12), str(int(time.time() // 60))
    return f"{nonce}.{minute}.{_signature(nonce, minute)}"


def once_field() -> Markup:
    """The hidden input of a once-only form (a Jinja global)."""
    return Markup(f'<input type="hidden" name="{FIELD}" value="{new_token()}">')


def _valid(token: str):
    """The token's nonce when it is well formed, signed for this user and not too old, else None."""
    parts = token.split(".")
    if len(parts) != 3 or not parts[1].isdigit() or len(parts[0]) != 24:
        return None
    nonce, minute, signature = parts
    if not hmac.compare_digest(_signature(nonce, minute).encode(), signature.encode("utf-8", "replace")):
        return None
    if int(time.time() // 60) - int(minute) > TOKEN_MINUTES:
        return None
    return nonce


def spend(token: str) -> bool:
    """Spend a token in its own committed transaction: True the first time, False when it was
    spent already, is forged, belongs to another user or is too old."""
    nonce = _valid(token)
    if nonce is None:
        return False
    now = clock.now()
    try:
        db.session.execute(insert(SpentToken.__table__),
                           {"token": nonce, "user_id": current_user.id if current_user.is_authenticated else None,
                            "spent_at": now})
        db.session.execute(delete(SpentToken.__table__).where(
            SpentToken.spent_at < now - timedelta(minutes=TOKEN_MINUTES + 60)))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def _back():
    """Where a repeated POST goes: the page the form was on (a path of this site), else home."""
    from app.web import local_url

    referrer = request.referrer or ""
    host = request.host_url.rstrip("/")
    path = referrer[len(host):] if referrer.startswith(host + "/") else ""
    return local_url(path, url_for("main.home"))


def _check_once():
    if request.method != "POST" or FIELD not in request.form:
        return None
    if spend(request.form.get(FIELD, "")):
        return None
    flash(_("This form was already sent; nothing was changed again."), "info")
    return redirect(_back(), 303)


def install(app: Flask) -> None:
    """The before-request check and the `once_field()` template global."""
    app.before_request(_check_once)
    app.jinja_env.globals["once_field"] = once_field
