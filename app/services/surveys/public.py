"""Anonymous answering of survey campaigns: the public links, single-use access codes, the
response UUIDs the server signs, and storing a complete response.

The whole questionnaire is one page; nothing is stored until the parent sends it. Drafts
live on the phone (surveys.js keeps them in localStorage), so a dropped connection loses
nothing and the server holds no half-answered questionnaires. The hot path reads with one
query and writes with one transaction. No request objects here: views pass plain values
(form data, the app's secret, today's date).
"""
from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid as uuid_module
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any, Iterable, Optional

from sqlalchemy import bindparam, case, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import AccessCode, Answer, Campaign, CampaignClass, Instrument, Response, School
from app.services.core.text import fold_latin
from app.services.surveys.campaigns import SurveyError, accepts_answers
from surveys import scoring

# New codes: no character that is read or written like another (0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B,
# U/V); 20^8 codes. Codes printed before (with those characters) are still accepted.
CODE_ALPHABET = "ACDEFHJKMNPRTWXY3479"
CODE_LENGTH = 8


# --- access codes -------------------------------------------------------------------------

def code_hash(salt: str, code: str) -> str:
    """SHA-256 hex of a printed code under its salt. Typed on a Cyrillic keyboard or a phone:
    look-alike letters are folded to Latin first, and dashes and spaces are dropped."""
    normalized = "".join(ch for ch in fold_latin(code.upper()) if ch.isalnum())
    return hashlib.sha256(f"{salt}:{normalized}".encode()).hexdigest()


# Codes are stored only as hashes, so their text is shown once, to whoever issued them. A batch's
# codes are derived from a secret seed: the issuer's session keeps a nonce the seed comes from with
# the app's secret key (about 100 bytes per batch, app/web/slips.py), not the codes nor the seed,
# and can show the slips again for an hour, whatever the batch's size and however many tabs
# issued batches meanwhile.

def new_seed() -> str:
    """A batch's secret seed (128 random bits, URL-safe text)."""
    return secrets.token_urlsafe(16)


def derived_code(seed: str, *parts: object) -> str:
    """The code that `seed` gives for `parts` (a number in the batch, a student's id and an
    attempt): HMAC-SHA256(seed, parts) read as CODE_LENGTH characters of CODE_ALPHABET. Without
    the seed it is as unguessable as a code drawn with `secrets`."""
    message = ":".join(str(part) for part in parts).encode()
    value = int.from_bytes(hmac.new(seed.encode(), message, hashlib.sha256).digest(), "big")
    chars = []
    for _ in range(CODE_LENGTH):
        value, index = divmod(value, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[index])
    return "".join(chars)


def derived_codes(seed: str, count: int) -> list[str]:
    """The batch's `count` codes, all different: number 0, 1, 2, ... of `seed`, leaving out a
    number whose code repeats an earlier one. The same seed and count always give the same list."""
    codes: list[str] = []
    seen: set[str] = set()
    number = 0
    while len(codes) < count:
        code = derived_code(seed, number)
        number += 1
        if code not in seen:
            seen.add(code)
            codes.append(code)
    return codes


def printed(code: str) -> str:
    """A code as printed on a slip: ABCD-EFGH."""
    return f"{code[:4]}-{code[4:]}"


def _hash_code(campaign: Campaign, code: str) -> str:
    return code_hash(campaign.code_salt, code)


def issue_codes(campaign: Campaign, target: CampaignClass, count: int, seed: Optional[str] = None) -> list[str]:
    """New single-use codes for a class, derived from `seed` (a new one if None; `derived_codes`).
    Only their hashes are stored: print them now, or show them again from the seed."""
    if campaign.access_mode != "codes":
        raise SurveyError("not_codes")
    if not 1 <= count <= 200:
        raise SurveyError("code_count")
    codes = derived_codes(seed or new_seed(), count)
    db.session.execute(insert(AccessCode), [{"campaign_id": campaign.id, "target_id": target.id,
                                             "code_hash": _hash_code(campaign, code), "used": False}
                                            for code in codes])
    return [printed(c) for c in codes]


def stored_batch(campaign: Campaign, target: CampaignClass, seeds: list[str], count: int) -> list[str]:
    """The printed codes of the batch of `count` that `issue_codes` issued to `target` with one of
    `seeds` (the first whose codes are all stored for the target, used or not: the page does not
    tell which were used), else []: a slips page never shows a code the survey would not know."""
    for seed in seeds:
        codes = derived_codes(seed, count)
        hashes = [_hash_code(campaign, code) for code in codes]
        stored = db.session.scalar(select(func.count(AccessCode.id)).where(
            AccessCode.campaign_id == campaign.id, AccessCode.target_id == target.id,
            AccessCode.code_hash.in_(hashes)))
        if stored == len(codes):
            return [printed(code) for code in codes]
    return []


def codes_issued(campaign_id: int) -> dict[int, tuple[int, int]]:
    """target id -> (issued, used)."""
    rows = db.session.execute(
        select(AccessCode.target_id, func.count(AccessCode.id), func.sum(case((AccessCode.used, 1), else_=0)))
        .where(AccessCode.campaign_id == campaign_id).group_by(AccessCode.target_id))
    return {t: (int(n), int(u or 0)) for t, n, u in rows.all()}


# --- answering ----------------------------------------------------------------------------

def new_client_uuid() -> str:
    return str(uuid_module.uuid4())


@dataclass(frozen=True)
class PublicLink:
    """What the public pages need of a campaign link, read with one query."""

    target_id: int
    slug: str
    label: str
    class_id: Optional[int]
    campaign_id: int
    status: str
    opens_on: Optional[date]
    closes_on: Optional[date]
    access_mode: str
    code_salt: str
    instrument_id: int
    instrument_hash: str
    school_name: str
    school_name_ru: Optional[str]
    school_timezone: str  # the school's wall clock decides the campaign's window (core.clock)

    def school_in(self, lang: str) -> str:
        return self.school_name_ru if lang == "ru" and self.school_name_ru else self.school_name


# Read on every public request: the statement is built once, at import.
_PUBLIC_LINK_QUERY = (
    select(CampaignClass.id, CampaignClass.slug, CampaignClass.label, CampaignClass.class_id, Campaign.id,
           Campaign.status, Campaign.opens_on, Campaign.closes_on, Campaign.access_mode, Campaign.code_salt,
           Instrument.id, Instrument.content_hash, School.name, School.name_ru,
           School.timezone)
    .join(Campaign, Campaign.id == CampaignClass.campaign_id)
    .join(Instrument, Instrument.id == Campaign.instrument_id)
    .join(School, School.id == Campaign.school_id)
    .where(CampaignClass.slug == bindparam("slug")))


def public_link(slug: str) -> Optional[PublicLink]:
    # A slug copied from paper on a Cyrillic keyboard: look-alikes as Latin (slugs are Latin).
    row = db.session.connection().execute(_PUBLIC_LINK_QUERY, {"slug": fold_latin(slug.strip())}).first()
    return PublicLink(*row) if row is not None else None


def link_spec(link: PublicLink):
    return _parsed_spec(link.instrument_id, link.instrument_hash)


@lru_cache(maxsize=64)
def _parsed_spec(instrument_id: int, content_hash: str):
    """An instrument version never changes (its content hash is part of the key), so each
    process parses it once."""
    return db.session.get(Instrument, instrument_id).spec


def _uuid_signature(secret: str, slug: str, client_uuid: str) -> str:
    return hmac.new(secret.encode(), f"survey:{slug}:{client_uuid}".encode(), hashlib.sha256).hexdigest()[:32]


def issue_uuid(secret: str, slug: str) -> tuple[str, str]:
    """A fresh response UUID for a page and its signature: the submit carries both, so only
    UUIDs this server handed out for this link are accepted (the page's own CSRF token)."""
    client_uuid = new_client_uuid()
    return client_uuid, _uuid_signature(secret, slug, client_uuid)


def uuid_is_signed(secret: str, slug: str, client_uuid: str, signature: str) -> bool:
    try:
        client_uuid = str(uuid_module.UUID(client_uuid))
    except (ValueError, TypeError, AttributeError):
        return False
    given = str(signature or "").encode("utf-8", "replace")  # bytes: hostile input may be any text
    return hmac.compare_digest(_uuid_signature(secret, slug, client_uuid).encode(), given)


def submit_response(link: PublicLink, spec, client_uuid: str, answers: dict[str, Any], today: date,
                    code: Optional[str] = None, language: Optional[str] = None) -> bool:
    """Store one complete response in the caller's transaction. Returns False when the UUID
    was already stored (a retry): nothing new is written and no code is spent.

    The UNIQUE client_uuid decides duplicates, also between simultaneous retries (the second
    insert waits for the first and fails). The response row is the transaction's first write,
    so a duplicate rolls back nothing else. A code is spent first, in a transaction of its own
    (committed here), so that the code row and the response row share no transaction id
    (PostgreSQL's xmin); see `_spend_code`. A refused code raises before anything is written."""
    client_uuid = str(uuid_module.UUID(client_uuid))
    if not accepts_answers(link, today):
        raise SurveyError("closed")
    if link.access_mode == "codes":
        if response_by_uuid(link.target_id, client_uuid) is not None:
            return False  # a retry of a stored response: no second code is spent
        _spend_code(link, code)
        db.session.commit()
    connection = db.session.connection()  # Core statements: this is the hot path of the survey
    try:
        response_id = connection.execute(
            insert(Response.__table__).returning(Response.__table__.c.id),
            {"campaign_id": link.campaign_id, "target_id": link.target_id, "client_uuid": client_uuid,
             "status": "complete", "language": language, "started_on": today, "submitted_on": today}).scalar_one()
    except IntegrityError:
        db.session.rollback()
        if link.access_mode == "codes":
            _refund_code(link, code)  # spent just now for a response that was already stored
        if response_by_uuid(link.target_id, client_uuid) is None:
            raise SurveyError("bad_uuid") from None  # the UUID of another link
        return False
    keys = [*spec.answer_keys(), *(f"{item.key}.comment" for item in spec.items() if item.has_comment)]
    rows = answer_rows(spec, keys, answers, response_id, link.campaign_id)
    if rows:
        connection.execute(insert(Answer.__table__), rows)
    return True


def _spend_code(link: PublicLink, code: Optional[str]) -> None:
    """Mark the code used, then rewrite every code row of the class in the same statement's
    transaction: all of them carry the transaction id of the latest spend, so the row of one
    printed slip does not say when it was spent (nor next to which response)."""
    if not code or not code.strip():
        raise SurveyError("code_required")
    digest = _hash_code(link, code)
    of_class = (AccessCode.campaign_id == link.campaign_id, AccessCode.target_id == link.target_id)
    used = db.session.execute(
        update(AccessCode).where(*of_class, AccessCode.code_hash == digest, AccessCode.used.is_(False))
        .values(used=True))
    if used.rowcount != 1:
        known = db.session.scalar(select(func.count(AccessCode.id)).where(*of_class, AccessCode.code_hash == digest))
        raise SurveyError("code_used" if known else "code_unknown")
    db.session.execute(update(AccessCode).where(*of_class).values(used=AccessCode.used))


def _refund_code(link: PublicLink, code: Optional[str]) -> None:
    db.session.execute(update(AccessCode).where(
        AccessCode.campaign_id == link.campaign_id, AccessCode.target_id == link.target_id,
        AccessCode.code_hash == _hash_code(link, code or "")).values(used=False))
    db.session.commit()


def response_by_uuid(target_id: int, client_uuid: str) -> Optional[Response]:
    response = db.session.scalar(select(Response).where(Response.client_uuid == (client_uuid or "")))
    return response if response is not None and response.target_id == target_id else None


def answer_rows(spec, section_keys: Iterable[str], answers: dict[str, Any], response_id: int,
                campaign_id: int) -> list[dict]:
    """Answer rows (dicts for a bulk insert) of the given items, with scores and top-2 flags:
    each item gives its records (surveys/items/), a scored answer adds its scale, its
    reverse-applied score and, on a scale of 4 points or more, whether it is a top-2 answer."""
    wanted = set(section_keys)
    scored = {key: (scale, reverse, rng) for key, _item, scale, reverse, rng in spec.scored()}
    rows = []
    base = {"response_id": response_id, "campaign_id": campaign_id}
    for item in spec.items():
        for record in item.records(answers):
            if record.key not in wanted:
                continue
            row = {**base, "item_key": record.key, "scale": None, "value": record.value, "score": None,
                   "top2": None, "option": record.option, "text": record.text}
            if record.key in scored:
                scale, reverse, (lo, hi) = scored[record.key]
                s = scoring.score(record.value, lo, hi, reverse)
                row.update(scale=scale, score=s, top2=None if s is None or hi - lo < 3 else scoring.is_top2(s, hi))
            rows.append(row)
    return rows
