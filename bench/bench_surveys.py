"""Survey results of one campaign with 5,000 complete responses (the parents' satisfaction
questionnaire of the large demo school, spread over its 80 classes): every figure of the
results page in SQL (`surveys.results`) against a plain Python loop over all answers computing
the same figures, and the campaign workbook. SQLite always; PostgreSQL too when
127.0.0.1:5432 answers (in a fresh database that is dropped afterwards)."""
import os
import random
import shutil
import tempfile
from datetime import timedelta
from types import SimpleNamespace

from bench.bench_exports import raw_worker
from bench.bench_metrics import REPEAT, _app, _rss_mb, _timed, large_demo, on_each_database

RESPONSES = int(os.environ.get("BENCH_SURVEY_RESPONSES", "5000"))


def make_campaign(school, year, classes, responses: int):
    """A closed parents' campaign over `classes` with exactly `responses` complete responses,
    answered as the demo answers (class and respondent effects, reverse items, texts)."""
    from app.extensions import db
    from app.services.core import instruments as instrument_service
    from app.services.surveys import campaigns as service
    from app.services.surveys.demo import PARENT_TEXTS_CHANGE, PARENT_TEXTS_LIKE, _fill

    instrument = instrument_service.latest("parent_satisfaction", "survey")
    campaign = service.create_campaign(
        school_id=school.id, instrument=instrument, title="Bench: 5,000 parents", audience="parents",
        class_ids=[c.id for c in classes], access_mode="link", opens_on=year.starts_on,
        closes_on=year.starts_on + timedelta(days=20), min_group_size=5, year_id=year.id, created_by_id=None)
    campaign.status = "closed"
    db.session.flush()
    per_class, extra = divmod(responses, len(campaign.targets))
    for index, target in enumerate(campaign.targets):
        target.expected = per_class + (1 if index < extra else 0)
    texts = {"like_most": PARENT_TEXTS_LIKE, "change": PARENT_TEXTS_CHANGE, "*": PARENT_TEXTS_CHANGE}
    written = _fill(SimpleNamespace(rng=random.Random(5000)), campaign, 1.0, year.starts_on + timedelta(days=10),
                    texts)
    db.session.commit()
    assert written == responses, written
    return campaign


def python_loop(campaign) -> dict:
    """The baseline: fetch every answer of the complete responses once and compute, in Python,
    what the results page shows: per item respondents, mean score, top-2 share and the
    distribution of options; per class and scale the mean of respondents' means."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import Answer, Response

    rows = db.session.execute(
        select(Answer.response_id, Response.target_id, Answer.item_key, Answer.scale, Answer.value, Answer.score,
               Answer.top2, Answer.option, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .where(Answer.campaign_id == campaign.id, Response.status == "complete")).all()
    respondents: dict[str, set] = {}
    scores: dict[str, list] = {}
    top2: dict[str, list] = {}
    dist: dict[str, dict] = {}
    per_response: dict[tuple, list] = {}
    for response_id, target_id, key, scale, value, score, is_top2, option, text in rows:
        respondents.setdefault(key, set()).add(response_id)
        if score is not None:
            scores.setdefault(key, []).append(score)
        if is_top2 is not None:
            top2.setdefault(key, []).append(100.0 if is_top2 else 0.0)
        if text is None:
            label = option if option is not None else (f"{value:g}" if value is not None else "")
            counts = dist.setdefault(key, {})
            counts[label] = counts.get(label, 0) + 1
        if scale is not None and score is not None:
            per_response.setdefault((target_id, scale, response_id), []).append(score)
    by_class: dict[tuple, list] = {}
    for (target_id, scale, _response), values in per_response.items():
        by_class.setdefault((target_id, scale), []).append(sum(values) / len(values))
    return {
        "n": {k: len(v) for k, v in respondents.items()},
        "mean": {k: sum(v) / len(v) for k, v in scores.items()},
        "top2": {k: sum(v) / len(v) for k, v in top2.items()},
        "dist": dist,
        "class_scale": {k: sum(v) / len(v) for k, v in by_class.items()},
        "rows": len(rows),
    }


def _check(results, loop: dict, campaign) -> None:
    """The SQL figures must equal the loop's before the timings mean anything."""
    from app.services.surveys import results as service

    for stat in results.items:
        if stat.kind == "text":
            continue
        assert stat.n == loop["n"].get(stat.key, 0), stat.key
        if stat.scale is not None and stat.mean is not None:
            assert abs(stat.mean - loop["mean"][stat.key]) < 1e-9, stat.key
        if stat.top2 is not None:
            assert abs(stat.top2 - loop["top2"][stat.key]) < 1e-9, stat.key
        counts = loop["dist"].get(stat.key, {})
        for option in stat.options:
            assert option.count == counts.get(option.key, 0), (stat.key, option.key)
    by_target = service.scale_means(campaign.id, by_target=True)
    assert set(by_target) == set(loop["class_scale"])
    for key, (mean, _n) in by_target.items():
        assert abs(mean - loop["class_scale"][key]) < 1e-9, key


def run(url: str, engine_name: str) -> list[dict]:
    from sqlalchemy import func, select

    from app.extensions import db
    from app.models import Answer
    from app.services.surveys import results as service
    from app.services.surveys.workbook import write_campaign_workbook

    app = _app(url)
    with app.app_context():
        _ctx, campaign, build_seconds = large_demo(lambda ctx: make_campaign(
            ctx.school, ctx.current_year, ctx.classes[ctx.current_year.id], RESPONSES))
        answers = db.session.scalar(select(func.count(Answer.id)).where(Answer.campaign_id == campaign.id))
        service.results(campaign)  # warm the caches once, as a running server would have them
        sql_seconds, results = _timed(lambda: service.results(campaign))
        loop_seconds, loop = _timed(lambda: python_loop(campaign))
        _check(results, loop, campaign)
        directory = tempfile.mkdtemp(prefix="sapat-bench-survey-")
        try:
            path = os.path.join(directory, "campaign.xlsx")
            with app.test_request_context():
                workbook_seconds, _ = _timed(lambda: write_campaign_workbook(campaign, path, lang="ky"))
            workbook_kb = round(os.path.getsize(path) / 1024)
            cells = _cells(path)
            raw = raw_worker(cells)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        respondents = results.respondents
        db.session.remove()
        db.engine.dispose()
    return [{
        "name": f"survey_results_{engine_name}",
        "seconds": round(sql_seconds, 4),
        "peak_rss_mb": _rss_mb(),
        "baseline": "plain Python loop over all answers (fetch + aggregate)",
        "baseline_seconds": round(loop_seconds, 4),
        "ratio": round(sql_seconds / loop_seconds, 3),
        "responses": respondents,
        "answers": answers,
        "rows_fetched_by_baseline": loop["rows"],
        "build_seconds": round(build_seconds, 1),
        "repeat": REPEAT,
    }, {
        "name": f"survey_workbook_{engine_name}",
        "seconds": round(workbook_seconds, 4),
        "peak_rss_mb": _rss_mb(),
        "baseline": "raw XlsxWriter (constant_memory) writing the same number of cells, no database work",
        "baseline_seconds": raw["seconds"],
        "ratio": round(workbook_seconds / raw["seconds"], 3),
        "cells": cells,
        "results_seconds": round(sql_seconds, 4),
        "responses": respondents,
        "file_kb": workbook_kb,
        "repeat": REPEAT,
    }]


def _cells(path: str) -> int:
    """Non-empty cells of a workbook (title blocks and headers included)."""
    import openpyxl

    book = openpyxl.load_workbook(path, read_only=True)
    try:
        return sum(1 for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)
                   for value in row if value is not None)
    finally:
        book.close()


def main() -> None:
    on_each_database(run, "survey_results_postgresql")


if __name__ == "__main__":
    main()
