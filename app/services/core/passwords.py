"""Password rules (NIST SP 800-63B): a minimum length, no upper limit below 200, and no
password that is common, breached or easy to guess; no composition rules.

"Easy to guess" is zxcvbn's estimate (Dropbox's, pure Python, zxcvbn 4.5.0): its
dictionaries hold the 30,000 most frequent passwords of breached lists, English words,
names and surnames, and it sees keyboard rows, repetitions, sequences, dates and l33t. A
password must reach a score of 3 of 4 ("safely unguessable: moderate protection from an
offline attack", about 10^8 guesses). It does not know Kyrgyz or Russian, so a bundled list
(data/common_passwords_ky_ru.txt) is added to its dictionary, and the password is also
checked as it would have been typed with the Cyrillic ЙЦУКЕН layout on a Latin keyboard
(йцукенгш is qwertyui, пароль is gfhjkm). The user's email, name and school count as
dictionary words too.
"""
import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from flask import current_app, has_app_context
from flask_babel import gettext as _
from werkzeug.security import generate_password_hash

HASH_METHOD = "scrypt"  # werkzeug's scrypt, N=2^15, r=8, p=1: about 0.1 s a check on one core
MIN_LENGTH = 8
MAX_LENGTH = 200
MIN_SCORE = 3
ZXCVBN_MAX = 72  # zxcvbn refuses longer input; the head decides anyway

_CYRILLIC = "йцукенгшщзхъфывапролджэячсмитьбюё"
_LATIN = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`"
_LAYOUT = str.maketrans(_CYRILLIC + _CYRILLIC.upper(), _LATIN + _LATIN.upper())


@lru_cache(maxsize=1)
def common_words() -> tuple[str, ...]:
    path = Path(__file__).with_name("data") / "common_passwords_ky_ru.txt"
    words = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")]
    return tuple(dict.fromkeys([*words, *(w.translate(_LAYOUT) for w in words)]))


def _context_words(user_inputs: Iterable[str]) -> list[str]:
    words = []
    for value in user_inputs:
        value = (value or "").strip().lower()
        if value:
            words.append(value)
            words.extend(part for part in re.split(r"[\s@._\-]+", value) if len(part) >= 3)
    return words


def _made_of(password: str, words: list[str]) -> bool:
    """True when nothing but digits and separators is left of `password` once the given words
    (the user's name and email, the common list) are taken out: "teacher.alpha-2026"."""
    for word in sorted((w for w in words if len(w) >= 3), key=len, reverse=True):
        password = password.replace(word, " ")
    return not re.sub(r"[\d\W_]+", "", password)


def password_problems(password: str, user_inputs: Iterable[str] = ()) -> list[str]:
    """Why `password` may not be used (translated messages), or [] when it may.

    `user_inputs`: the account's email, full name, school name and the like, which must not
    make up the password either."""
    from zxcvbn import zxcvbn

    password = unicodedata.normalize("NFKC", password or "")
    if len(password) < MIN_LENGTH:
        return [_("The password must be at least %(n)d characters long.", n=MIN_LENGTH)]
    if len(password) > MAX_LENGTH:
        return [_("The password must be at most %(n)d characters long.", n=MAX_LENGTH)]
    context = _context_words([*user_inputs, "sapat"])
    dictionary = [*common_words(), *context]
    bare = re.sub(r"[\d\W_]+$", "", password.lower())
    weak = bare in dictionary or _made_of(password.lower(), [*context, *common_words()]) or any(
        zxcvbn(candidate[:ZXCVBN_MAX], user_inputs=dictionary)["score"] < MIN_SCORE
        for candidate in dict.fromkeys((password, password.translate(_LAYOUT))))
    if weak:
        return [_("This password is too common or too easy to guess (a word, a name, a date, a keyboard row "
                  "or a repetition). Use three or four unrelated words or a longer phrase.")]
    return []


def hash_method() -> str:
    """The werkzeug hash method of new password hashes: the app's PASSWORD_HASH_METHOD."""
    return current_app.config.get("PASSWORD_HASH_METHOD", HASH_METHOD) if has_app_context() else HASH_METHOD


def hash_password(password: str) -> str:
    """A salted hash of `password` ("method$salt$hash", werkzeug.security) made with
    hash_method(); checking reads the method from the hash itself."""
    return generate_password_hash(password, method=hash_method())
