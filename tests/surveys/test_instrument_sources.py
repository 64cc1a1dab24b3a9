"""An instrument's sources speak the page's language: a source is the work cited as published
(never translated) and a note in ky / ru / en (what the instrument takes from it, how it was
adapted), shown like every other text of the instrument (Text.pick).

The case: the shipped instruments' `sources:` were single strings, the notes in them written in
Russian (or English, or Kyrgyz) only, and the Kyrgyz page showed them as they were, e.g. "Эта
анкета — короткая форма из десяти утверждений" for the tenth-graders' adaptation."""
import pytest

from app.extensions import db
from app.services.core import instruments
from surveys import loader
from tests.page_text import visible_texts

SHIPPED = {path.stem: spec for path, spec in loader.load_all().instruments}


def _page_text(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(visible_texts(response.get_data(as_text=True)))


def _noted(spec):
    return [entry for entry in spec.sources if not isinstance(entry, str)]


def test_every_shipped_source_note_is_in_kyrgyz_russian_and_english():
    for key, spec in SHIPPED.items():
        assert spec.sources, key
        for entry in _noted(spec):
            note = entry.note
            assert note.ky and note.ru and note.en and note.ky != note.ru, (key, entry.cite)
    # The notes that were Russian only on the Kyrgyz page now have their Kyrgyz text.
    grade10 = SHIPPED["adaptation_grade10"]
    assert "он билдирүүдөн турган кыска форма" in grade10.sources[0].note.ky
    assert grade10.sources[0].cite == "Rogers C., Dymond R. Psychotherapy and Personality Change. Chicago, 1954."


@pytest.mark.parametrize("lang, other", [("ky", "ru"), ("ru", "ky")])
def test_the_instrument_page_shows_every_note_in_the_page_language(client, login, school, lang, other):
    report = instruments.publish_all()
    assert not report.errors
    db.session.commit()
    login(school.user("admin"))
    client.post("/language", data={"lang": lang, "next": "/"})
    for published in report.published:
        row, spec = published.row, SHIPPED[published.row.key]
        page = client.get(f"/instruments/{row.key}/{row.version}").get_data(as_text=True)
        text = _page_text(client, f"/instruments/{row.key}/{row.version}")
        for entry in spec.sources:
            cite = entry if isinstance(entry, str) else entry.cite
            assert f"<cite>{cite}</cite>".replace('"', "&#34;").replace("'", "&#39;") in page, (row.key, cite)
            if not isinstance(entry, str):
                assert getattr(entry.note, lang) in text, (row.key, cite)
                assert getattr(entry.note, other) not in text, (row.key, cite)
        for scale in spec.scales:  # the sub-scales, listed on the page too, in the page language
            assert getattr(scale.title, lang) in text
    # The named case, read as a Kyrgyz reader reads it.
    grade10 = instruments.latest("adaptation_grade10")
    text = _page_text(client, f"/instruments/adaptation_grade10/{grade10.version}")
    if lang == "ky":
        assert "короткая форма из десяти утверждений" not in text and "Эта анкета" not in text
        assert "Бул анкета — ошол субшкалалар боюнча түзүлгөн он билдирүүдөн турган кыска форма" in text
    else:
        assert "Эта анкета — короткая форма из десяти утверждений" in text and "Бул анкета" not in text


def test_the_diagnostics_list_shows_the_notes_in_kyrgyz(client, login, school):
    login(school.user("psychologist"))
    client.post("/language", data={"lang": "ky", "next": "/"})
    text = _page_text(client, "/diagnostics/")
    assert "Класс жетекчисинин окуучунун ыңгайлашуусун эксперттик баалоо схемасы." in text
    assert "Схема экспертных оценок адаптации школьника классным руководителем" not in text
    assert "короткая форма" not in text


def test_a_source_note_without_a_kyrgyz_text_is_refused_with_its_path():
    text = (SHIPPED_FILE := loader.INSTRUMENTS_DIR / "adaptation_grade10.yaml").read_text(encoding="utf-8")
    broken = text.replace('    note:\n      ky: "Социалдык-психологиялык', '    note:\n      kx: "Социалдык-психологиялык', 1)
    assert broken != text
    with pytest.raises(loader.InstrumentError) as refused:
        loader.load_text(broken, SHIPPED_FILE.name)
    assert "adaptation_grade10.yaml: sources[0].note.ky: required field is missing" in refused.value.lines()
    # A note in one language only, written as a plain mapping, is refused the same way; a
    # reference alone (a plain string) stays a citation as published.
    one_language = text.replace("sources:\n", 'sources:\n  - {cite: "Some work, 2001.", note: {ru: "Только по-русски"}}\n', 1)
    with pytest.raises(loader.InstrumentError) as refused:
        loader.load_text(one_language, SHIPPED_FILE.name)
    assert {"sources[0].note.ky: required field is missing", "sources[0].note.en: required field is missing"} <= {
        f"{p.path}: {p.reason}" for p in refused.value.problems}
    plain = loader.load_text(text.replace("sources:\n", 'sources:\n  - "Some work, 2001."\n', 1), "x.yaml")
    assert plain.sources_in("ky")[0] == ("Some work, 2001.", "")


def _without_column(content: bytes, sheet: str, header: str) -> bytes:
    """The workbook with the column headed `header` of `sheet` deleted (as a form made elsewhere
    without that language would come)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    rows = book[sheet]
    column = next(cell.column for cell in rows[1] if cell.value == header)
    rows.delete_cols(column)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_an_xlsform_note_without_kyrgyz_is_refused_or_copied_with_a_note():
    import io

    from surveys.xlsform import XLSFormError, read_xlsform, write_xlsform

    buffer = io.BytesIO()
    write_xlsform(SHIPPED["adaptation_grade10"], buffer)
    without_ky = _without_column(buffer.getvalue(), "sapat_sources", "note::Kyrgyz (ky)")
    with pytest.raises(XLSFormError) as refused:
        read_xlsform(io.BytesIO(without_ky), filename="form.xlsx")
    assert [(p.sheet, p.column) for p in refused.value.problems] == [("sapat_sources", "note::Kyrgyz (ky)")]
    notes: list = []
    copied = read_xlsform(io.BytesIO(without_ky), filename="form.xlsx", fallback="ru", notes=notes)
    note = copied["sources"][0]["note"]
    assert note["ky"] == note["ru"] == SHIPPED["adaptation_grade10"].sources[0].note.ru
    assert any("note::Kyrgyz (ky)" in str(n) for n in notes)
    # The cited work itself is never a text to translate: its column has no language.
    assert copied["sources"][0]["cite"] == SHIPPED["adaptation_grade10"].sources[0].cite
