"""Slips of single-use codes, shown again to whoever issued them for an hour, from any of their tabs.

Codes are stored only as hashes, so their text exists only in the issuer's hands. The signed session
keeps, per batch, a random nonce and what the page needs to show the codes again, never the codes:
about 100 bytes a batch, so the newest KEPT batches all fit in the session cookie. The codes are
derived (app/services/surveys/public.py `derived_code`) from `secret_seed(nonce)`, the nonce keyed
with the app's secret key: the cookie is signed, not encrypted, and a copy of it (kept past the
hour, or from before a logout) must not give the codes. Issuing in a second tab once
replaced the first tab's batch in the session, and the first tab's codes, already counted as
issued, could then never be printed.

    nonce = slips.new_nonce(); codes = issue_codes(..., slips.secret_seed(nonce))
    batch = slips.keep("survey", campaign=1, target=2, nonce=nonce, count=30)
    fields = slips.kept("survey", batch)  # None: unknown, another user's, or older than an hour
"""
import hashlib
import hmac
import secrets
from typing import Optional

from flask import current_app, session

from app.services.core import clock

KEPT_SECONDS = 3600  # how long a batch's slips can be shown again
KEPT = 8  # batches kept per kind; an older one is dropped first
_KEY = "slips"
# Where sessions begun before batches had seeds kept their one batch of codes (up to 200 codes, 2.4 KB):
# dropped at the next issue, so that with the new batches the cookie stays under the browsers' 4 KB.
_BEFORE = ("code_slips", "diagnostic_slips")


def new_nonce() -> str:
    """A new batch's nonce (128 random bits, URL-safe text), kept in the session."""
    return secrets.token_urlsafe(16)


def secret_seeds(nonce: str) -> list[str]:
    """The seeds a batch's codes may be derived from: HMAC-SHA256 of the nonce kept in the session,
    keyed with the app's secret key (a new batch's is the first), then with each of
    SECRET_KEY_FALLBACKS (a batch issued before a key change, shown again within the hour)."""
    keys = [current_app.config["SECRET_KEY"], *(current_app.config.get("SECRET_KEY_FALLBACKS") or ())]
    return [hmac.new(key if isinstance(key, bytes) else key.encode(), f"sapat-slips:{nonce}".encode(),
                     hashlib.sha256).hexdigest() for key in keys]


def secret_seed(nonce: str) -> str:
    """The seed a new batch's codes are derived from."""
    return secret_seeds(nonce)[0]


def _fresh(batches: dict) -> dict:
    now = clock.now().timestamp()
    fresh = {batch: fields for batch, fields in batches.items()
             if isinstance(fields, dict) and 0 <= now - fields.get("at", 0) < KEPT_SECONDS}
    newest = sorted(fresh, key=lambda batch: fresh[batch]["at"], reverse=True)[:KEPT]
    return {batch: fresh[batch] for batch in newest}


def keep(kind: str, **fields) -> str:
    """Keep a new batch of `kind` ("survey", "diagnostic") in the session; its id for the URL."""
    batch = secrets.token_urlsafe(8)
    for before in _BEFORE:
        session.pop(before, None)
    every = dict(session.get(_KEY) or {})
    batches = _fresh(every.get(kind) or {})
    batches[batch] = {**fields, "at": clock.now().timestamp()}
    every[kind] = _fresh(batches)
    session[_KEY] = every
    return batch


def kept(kind: str, batch: str) -> Optional[dict]:
    """The fields kept with `batch`, or None when this session has no such batch within the hour
    (or one kept before batches had a nonce, whose codes the nonce's seed would not give)."""
    every = dict(session.get(_KEY) or {})
    batches = _fresh(every.get(kind) or {})
    if batches != (every.get(kind) or {}):
        every[kind] = batches
        session[_KEY] = every
    fields = batches.get(batch)
    return fields if fields is not None and isinstance(fields.get("nonce"), str) else None
