"""One term for one thing: the catalogues, the shipped indicator and cyclogram files and the
marks template against docs/glossary.yaml (ky/ru/en)."""
import re
from pathlib import Path

import yaml
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = yaml.safe_load((ROOT / "docs" / "glossary.yaml").read_text(encoding="utf-8"))
SHIPPED_TEXTS = [ROOT / "app/services/monitoring/indicators.yaml", ROOT / "app/services/monitoring/cyclogram.yaml"]


def _catalogues(lang):
    for path in sorted((ROOT / "app" / "translations").glob(f"*/{lang}/LC_MESSAGES/messages.po")):
        with path.open("rb") as handle:
            yield path, read_po(handle)


def test_glossary_terms_are_translated_as_the_glossary_says():
    wrong = []
    for lang in ("ky", "ru"):
        for path, catalogue in _catalogues(lang):
            for term in GLOSSARY["terms"]:
                message = catalogue.get(term["en"])
                if message is not None and message.string and message.string != term[lang]:
                    wrong.append((path.parts[-4], lang, term["en"], message.string, term[lang]))
    assert wrong == []


def test_no_avoided_word_in_any_translation_or_shipped_text():
    found = []
    for lang, words in GLOSSARY["avoid"].items():
        texts = [(path.parts[-4], text) for path, cat in _catalogues(lang) for m in cat if m.id and m.string
                 for text in (m.string if isinstance(m.string, tuple) else (m.string,))]
        for path in SHIPPED_TEXTS:
            texts += [(path.name, t) for t in re.findall(rf'\b{lang}: "([^"]+)"', path.read_text(encoding="utf-8"))]
        for where, text in texts:
            found += [(where, lang, word, text) for word in words if word.lower() in text.lower()]
    assert found == []


def test_marks_template_uses_the_app_words():
    from app.services.achievement.imports import TEMPLATE_HEADERS

    assert TEMPLATE_HEADERS["ky"][0] == "класс" and "предмет" in TEMPLATE_HEADERS["ky"]
