"""Slips of single-use codes, shown again to whoever issued them for an hour, from any of their tabs.

Codes are stored only as hashes, so their text exists only in the issuer's hands. The signed session
keeps, per batch, the seed its codes were derived from (app/services/surveys/public.py
`derived_code`) and what the page needs to show them again, never the codes: about 100 bytes a
batch, so the newest KEPT batches all fit in the session cookie. Issuing in a second tab once
replaced the first tab's batch in the session, and the first tab's codes, already counted as
issued, could then never be printed.

    batch = slips.keep("survey", campaign=1, target=2, seed=seed, count=30)
    fields = slips.kept("survey", batch)  # None: unknown, another user's, or older than an hour
"""
import secrets
from typing import Optional

from flask import session

from app.services.core import clock

KEPT_SECONDS = 3600  # how long a batch's slips can be shown again
KEPT = 8  # batches kept per kind; an older one is dropped first
_KEY = "slips"


def _fresh(batches: dict) -> dict:
    now = clock.now().timestamp()
    fresh = {batch: fields for batch, fields in batches.items()
             if isinstance(fields, dict) and 0 <= now - fields.get("at", 0) < KEPT_SECONDS}
    newest = sorted(fresh, key=lambda batch: fresh[batch]["at"], reverse=True)[:KEPT]
    return {batch: fresh[batch] for batch in newest}


def keep(kind: str, **fields) -> str:
    """Keep a new batch of `kind` ("survey", "diagnostic") in the session; its id for the URL."""
    batch = secrets.token_urlsafe(8)
    every = dict(session.get(_KEY) or {})
    batches = _fresh(every.get(kind) or {})
    batches[batch] = {**fields, "at": clock.now().timestamp()}
    every[kind] = _fresh(batches)
    session[_KEY] = every
    return batch


def kept(kind: str, batch: str) -> Optional[dict]:
    """The fields kept with `batch`, or None when this session has no such batch within the hour."""
    every = dict(session.get(_KEY) or {})
    batches = _fresh(every.get(kind) or {})
    if batches != (every.get(kind) or {}):
        every[kind] = batches
        session[_KEY] = every
    return batches.get(batch)
