"""Repair: localisation (sizes 1, 2, deeper), ranking by alternatives / char scores / typo model, kinds."""

from __future__ import annotations

import random

from models.extraction import Alternative, Source, SuggestionKind
from models.fields import Layout

from extractor.validate import run_checks, suggest, validate
from extractor.validate import typos
from extractor.validate.simulate import consistent_values, simulate

from test_validate_checks import small_report


def ocr(ex, key, value, *, raw=None, scores=None, alts=()):
    f = ex.fields[key]
    f.value, f.raw, f.source = value, raw if raw is not None else str(value), Source.OCR
    f.char_scores = scores if scores is not None else [0.99] * len(f.raw)
    f.alternatives = [Alternative(text=t, score=s) for t, s in alts]


def test_typo_model():
    assert typos.likelihood("17", "11") > typos.likelihood("12", "11")  # 1↔7 is a glyph confusion
    assert typos.likelihood("122", "12") > 0  # doubled
    assert typos.likelihood("12", "120") > 0  # dropped
    assert typos.likelihood("21", "12") > 0  # transposed
    assert typos.likelihood("99", "11") == 0  # two typos apart
    # the low-scored character is where the error sits
    assert typos.likelihood("38", "88", [0.5, 0.99]) > typos.likelihood("38", "33", [0.5, 0.99])
    vs = dict(typos.variants("8"))
    assert "0" in vs and "3" in vs and vs["0"] > vs["2"]


def test_single_misread_in_table_three_is_found():
    ex = small_report()
    ocr(ex, "applications.granted.natural_person", 8, raw="8", scores=[0.62], alts=[("3", 0.3)])
    sugg = suggest(ex, run_checks(ex))
    top = [s for s in sugg if s.rank == 1]
    assert len(top) == 1
    s = top[0]
    assert (s.field, s.printed, s.suggested, s.kind) == ("applications.granted.natural_person", 8, 3, SuggestionKind.MISREAD)
    assert set(s.restores) == {"row-total:granted", "closed-total:natural_person"}
    assert s.probability > 0.9


def test_ranking_uses_char_scores_and_alternatives_in_table_four():
    # review: upheld 2, corrected 1, total 3; the recogniser read total as 8 (3↔8), low score
    ex = small_report()
    ocr(ex, "review.total", 8, scores=[0.55], alts=[("3", 0.35)])
    ocr(ex, "review.upheld", 2)
    ocr(ex, "review.corrected", 1)
    validate(ex)
    ranked = sorted(ex.suggestions, key=lambda s: s.rank)
    assert ranked[0].field == "review.total" and ranked[0].suggested == 3
    assert 1 < len(ranked) <= 3 and [s.rank for s in ranked] == sorted(s.rank for s in ranked)
    assert ex.fields["review.total"].status.value == "review"


def test_text_layer_suggestion_is_kind_source():
    ex = small_report(review__total=0)
    sugg = suggest(ex, run_checks(ex))
    top = [s for s in sugg if s.rank == 1]
    assert top[0].field == "review.total" and top[0].suggested == 3
    assert all(s.kind == SuggestionKind.SOURCE for s in sugg)


def test_negative_repairs_are_not_suggested():
    ex = small_report(review__total=0)
    sugg = suggest(ex, run_checks(ex))
    assert all(s.suggested >= 0 for s in sugg)
    assert not any(s.field in ("review.upheld", "review.corrected") for s in sugg)


def test_two_cell_errors_are_localised():
    ex = small_report()
    ocr(ex, "applications.granted.natural_person", 8, scores=[0.6], alts=[("3", 0.3)])
    ocr(ex, "applications.unavailable.not_held.total", 7, scores=[0.7])
    validate(ex)
    top = {s.field: s.suggested for s in ex.suggestions if s.rank == 1}
    assert top == {"applications.granted.natural_person": 3, "applications.unavailable.not_held.total": 2}


def test_three_independent_errors_use_the_deep_search():
    rng = random.Random(7)
    truth = consistent_values(rng, Layout.L2021)
    wrong = {"applications.granted.natural_person", "applications.unavailable.not_held.commercial_enterprise",
             "applications.not_processed.repeated.total"}
    doc = simulate(rng, truth, Layout.L2021, wrong=wrong)
    assert set(doc.misread) == wrong
    validate(doc.extraction)
    top = {s.field: s.suggested for s in doc.extraction.suggestions if s.rank == 1}
    assert top == {k: truth[k] for k in wrong}


def test_2019_layout_other_total_row():
    ex = small_report(Layout.L2019)
    ocr(ex, "applications.other.total.natural_person", 1, scores=[0.5], alts=[("0", 0.3)])
    validate(ex)
    top = [s for s in ex.suggestions if s.rank == 1]
    assert [(s.field, s.suggested) for s in top] == [("applications.other.total.natural_person", 0)]
    assert "closed-total:natural_person" in top[0].restores
