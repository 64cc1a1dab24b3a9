"""Maintain Sapat's message catalogues.

Each domain of the app (the packages of app/services: core, surveys, observations,
achievement, monitoring, exports) keeps its own catalogue in
app/translations/<area>/<lang>/LC_MESSAGES/messages.po; Flask-Babel merges them. A message
belongs to the domain whose name appears in the path of the file that uses it
(templates/surveys/..., app/views/monitoring/planning.py, app/services/exports/...), else to
core.

    python -m app.i18n_catalogs update [AREA]   add new messages, drop unused ones
    python -m app.i18n_catalogs compile         write the .mo files
    python -m app.i18n_catalogs check           list messages without ky/ru translations
"""
import os
import sys
from collections import defaultdict
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
LANGUAGES = ("ky", "ru", "en")
REQUIRED = ("ky", "ru")  # English is the source language
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None,
            "lazy_ngettext": (1, 2), "pgettext": ((1, "c"), 2), "N_": None}
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2"), ("templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.do"}, "templates/**.html": {"extensions": "jinja2.ext.do"}}
SKIP_DIRS = {"tests", "bench", "migrations", "instance", "node_modules", "translations", "artifacts"}


def areas() -> list[str]:
    return sorted(p.name for p in TRANSLATIONS.iterdir() if p.is_dir())


def _dir_filter(path: str) -> bool:
    name = Path(path).name  # templates/_crud/ is read; __pycache__ and hidden folders are not
    return not (name.startswith((".", "__")) or name in SKIP_DIRS)


def extract() -> dict:
    """msgid -> list of (path, line) over the whole project."""
    found = defaultdict(list)
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), METHODS, OPTIONS, KEYWORDS, directory_filter=_dir_filter
    ):
        found[message].append((filename, lineno))
    for locations in found.values():
        locations.sort()
    return found


def area_of(path: str, known: list[str]) -> str:
    """The most specific path part naming an area: app/services/exports/surveys.py -> surveys;
    a part like surveys_public also counts for surveys."""
    for part in reversed(Path(path).with_suffix("").parts):
        for candidate in (part, part.split("_")[0]):
            if candidate in known and candidate != "core":
                return candidate
    return "core"


def po_path(area: str, lang: str) -> Path:
    return TRANSLATIONS / area / lang / "LC_MESSAGES" / "messages.po"


def load(area: str, lang: str) -> Catalog:
    path = po_path(area, lang)
    if path.exists():
        with path.open("rb") as f:
            return read_po(f, locale=lang)
    return Catalog(locale=lang, project="Sapat", charset="utf-8")


def save(catalog: Catalog, area: str, lang: str) -> None:
    path = po_path(area, lang)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True, omit_header=False, include_previous=False)


def _key(message):
    return message if isinstance(message, str) else message[0]


def update(only: str | None = None) -> None:
    known = areas()
    found = extract()
    owned = defaultdict(dict)  # area -> {key: message}
    for message, locations in found.items():
        area = area_of(locations[0][0], known)
        owned[area][_key(message)] = (message, locations)
    # A message whose first use moved to another area keeps its translations.
    known_strings = {lang: {_key(m.id): m.string for area in known for m in load(area, lang) if m.id and m.string}
                     for lang in LANGUAGES}
    for area in known:
        if only and area != only:
            continue
        for lang in LANGUAGES:
            catalog = load(area, lang)
            wanted = owned.get(area, {})
            for key in [m.id for m in catalog if m.id and _key(m.id) not in wanted]:
                del catalog[key]
            for key, (message, locations) in wanted.items():
                existing = catalog.get(message if isinstance(message, str) else message[0])
                if existing is None:
                    blank = ("", "") if not isinstance(message, str) else ""
                    catalog.add(message, string=known_strings[lang].get(key, blank), locations=locations)
                else:
                    existing.locations = locations
            save(catalog, area, lang)
        print(f"{area}: {len(owned.get(area, {}))} messages")


def missing() -> list[str]:
    """Messages used in the code that lack a ky or ru translation in every catalogue."""
    known = areas()
    translated = {lang: set() for lang in REQUIRED}
    for area in known:
        for lang in REQUIRED:
            for m in load(area, lang):
                if m.id and (all(m.string) if isinstance(m.string, (list, tuple)) else m.string):
                    translated[lang].add(_key(m.id))
    problems = []
    for message, locations in extract().items():
        for lang in REQUIRED:
            if _key(message) not in translated[lang]:
                path, line = locations[0]
                problems.append(f"{lang}: {_key(message)!r} ({path}:{line})")
    return problems


def compile_all() -> None:
    for area in areas():
        for lang in LANGUAGES:
            catalog = load(area, lang)
            mo = po_path(area, lang).with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            # Written aside, then renamed: a process reading the catalogue meanwhile (the other
            # database's test run, a serving worker) never sees half a file.
            part = mo.with_name(f"{mo.name}.{os.getpid()}.part")
            with part.open("wb") as f:
                write_mo(f, catalog, use_fuzzy=False)
            os.replace(part, mo)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    if command == "update":
        update(argv[2] if len(argv) > 2 else None)
    elif command == "compile":
        compile_all()
    elif command == "check":
        problems = missing()
        for line in problems:
            print(line)
        print(f"{len(problems)} untranslated")
        return 1 if problems else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
