"""The signed package a school's installation sends to its district's installation: its shape
(pydantic, extra fields forbidden), its canonical bytes and its Ed25519 signature (the
`cryptography` library; RFC 8032).

A package file is UTF-8 JSON: {"payload": {...}, "signature": "<base64 of 64 bytes>"}. The
signature is over the payload's canonical bytes: JSON with sorted keys, no spaces, UTF-8
(`canonical`), so whitespace in the file does not matter and any other change does. The payload
holds aggregates only: term-mark counts by term, class and subject (n, n5..n1, absent), the
indicators' values with n and targets, and the survey indices with the minimum-group suppression
already applied; no names, no student ids, no free text (the schema has no place for them).

A key pair: the private key as PKCS#8 PEM (kept by the school's installation), the public key
as the base64 of its 32 raw bytes (registered by the district)."""
import base64
import binascii
import hashlib
import json
from typing import Literal, Optional

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator, model_validator

from app.services.core.text import CONTROL

FORMAT = "sapat-district-package"
VERSION = 1
MAX_BYTES = 5 * 1024 * 1024  # a school's year is a few hundred rows: a few hundred kB at most
MAX_ROWS = 20_000
Count = Field(ge=0, le=10_000_000)


class _Strict(BaseModel):
    """Extra fields forbidden; numbers finite (NaN and Infinity are valid in Python's JSON, not in
    PostgreSQL's); texts without control characters (PostgreSQL refuses NUL; none is ever meant)."""

    model_config = ConfigDict(extra="forbid", str_max_length=200, allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _plain_text(cls, value):
        if isinstance(value, str) and CONTROL.search(value):
            raise ValueError("control characters in a text")
        return value


class SchoolInfo(_Strict):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1)
    name_ru: Optional[str] = None


class ResultRow(_Strict):
    """Term marks of one class in one subject in one term: the counts of each mark."""

    term_kind: Literal["quarter", "semester", "year"]  # models.school.TERM_KINDS
    term_number: int = Field(ge=1, le=99)
    grade: int = Field(ge=1, le=11)
    class_letter: str = Field(max_length=20)
    subject: str = Field(min_length=1)
    n: int = Count
    n5: int = Count
    n4: int = Count
    n3: int = Count
    n2: int = Count
    n1: int = Count
    absent: int = Count

    @model_validator(mode="after")
    def _n_is_the_sum(self):
        if self.n != self.n5 + self.n4 + self.n3 + self.n2 + self.n1:
            raise ValueError("n is not n5 + n4 + n3 + n2 + n1")
        return self


class IndicatorRow(_Strict):
    key: str = Field(min_length=1, max_length=60)
    value: Optional[float] = None
    n: Optional[int] = Field(default=None, ge=0)
    target: Optional[float] = None
    threshold: Optional[float] = None
    status: Optional[str] = Field(default=None, max_length=20)


class SurveyRow(_Strict):
    """The year's latest campaign of an instrument, as the school's results publish it: `index`
    only when the campaign is closed and has at least its minimum group of respondents."""

    key: str = Field(min_length=1, max_length=60)
    closed: bool
    respondents: Optional[int] = Field(default=None, ge=0)
    index: Optional[float] = Field(default=None, ge=0, le=100)
    hidden_classes: int = Field(default=0, ge=0)


class Payload(_Strict):
    format: Literal["sapat-district-package"]
    version: Literal[1]
    made_at: AwareDatetime
    school: SchoolInfo
    year: str = Field(min_length=1, max_length=40)
    results: list[ResultRow] = Field(max_length=MAX_ROWS)
    indicators: list[IndicatorRow] = Field(max_length=1000)
    surveys: list[SurveyRow] = Field(max_length=100)

    @model_validator(mode="after")
    def _each_row_once(self):
        """A class's subject in a term, an indicator, a survey: once each (twice would count twice)."""
        for name, rows, key in (
                ("results", self.results, lambda r: (r.term_kind, r.term_number, r.grade, r.class_letter, r.subject)),
                ("indicators", self.indicators, lambda r: r.key), ("surveys", self.surveys, lambda r: r.key)):
            seen = set()
            for row in rows:
                if key(row) in seen:
                    raise ValueError(f"{name}: a row given twice")
                seen.add(key(row))
        return self


def canonical(payload: dict) -> bytes:
    """The bytes that are signed: sorted keys, no spaces, UTF-8."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def digest(payload: dict) -> str:
    return hashlib.sha256(canonical(payload)).hexdigest()


def new_private_key() -> bytes:
    """A new Ed25519 private key as PKCS#8 PEM (unencrypted: keep the file private)."""
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())


def public_key_text(private_pem: bytes) -> str:
    """The base64 of the public key's 32 raw bytes (what the district registers)."""
    key = _private(private_pem)
    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def _private(private_pem: bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(private_pem, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def public_key(text: str) -> Optional[Ed25519PublicKey]:
    """The public key from its base64 text, None when it is not 32 bytes of base64."""
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    return Ed25519PublicKey.from_public_bytes(raw) if len(raw) == 32 else None


def sign(payload: dict, private_pem: bytes) -> bytes:
    """The package file's bytes: the payload (indented, readable) and its signature."""
    signature = _private(private_pem).sign(canonical(payload))
    envelope = {"payload": payload, "signature": base64.b64encode(signature).decode("ascii")}
    return json.dumps(envelope, ensure_ascii=False, indent=1, sort_keys=True).encode("utf-8")


def verified(payload: dict, signature_text: str, key: Ed25519PublicKey) -> bool:
    """True when `signature_text` (base64) is the key's signature of the payload's canonical bytes."""
    try:
        signature = base64.b64decode(signature_text, validate=True)
        key.verify(signature, canonical(payload))
    except (binascii.Error, ValueError, InvalidSignature):
        return False
    return True
