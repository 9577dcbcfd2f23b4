"""Injected-error benchmark of the validation stage: detection, repair ranking, localisation, calibration.

Consistent documents: the seed report's truth (/work/shared/corpus, when present) and random
consistent value sets generated from ``models.relations`` (``extractor.validate.simulate``;
seed-deterministic). Every field is read by a simulated recogniser (``source=ocr``, per-character
scores, alternatives); then

- single errors: one relation cell misread by one typo (glyph confusion, a dropped, doubled or
  transposed digit), the true reading among the alternatives in some cases, not in others;
- two-cell errors: two relation cells misread at once;
- calibration: a fresh population (scans and text layers, natural error rates, mapping errors),
  a reliability table of the field confidence, its ECE, and the review rate needed for the
  auto-accepted fields to be ≥ 99.95 % right.

    .venv/bin/python scripts/bench_repair.py [--singles 800] [--pairs 400] [--docs 400] [--seed 2]

Prints a markdown summary.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from models.extraction import CheckStatus  # noqa: E402
from models.fields import Layout, ValueType, spec_for  # noqa: E402
from models.relations import relations  # noqa: E402

from extractor.validate import validate  # noqa: E402
from extractor.validate.settings import ValidateSettings  # noqa: E402
from extractor.validate.simulate import consistent_values, simulate  # noqa: E402

SEED_TRUTH = Path("/work/shared/corpus/seed_chaoyang-minzheng-2023.truth.json")
TARGETS = {"top1": 0.90, "top3": 0.98, "pairs": 0.80, "review_rate": 0.03}


def load_seed() -> tuple[dict[str, object], Layout] | None:
    if not SEED_TRUTH.exists():
        return None
    data = json.loads(SEED_TRUTH.read_text(encoding="utf-8"))
    out: dict[str, object] = {}
    for k, v in data["fields"].items():
        t = spec_for(k).type
        out[k] = int(v) if t == ValueType.INT else Decimal(str(v)) if t == ValueType.DECIMAL else v
    return out, Layout(str(data.get("meta", {}).get("layout", "2021")))


def base_documents(rng: random.Random, n: int) -> list[tuple[dict[str, object], Layout, str]]:
    bases = []
    seed = load_seed()
    if seed:
        bases.append((seed[0], seed[1], "seed"))
    for _ in range(n):
        layout = Layout.L2021 if rng.random() < 0.7 else Layout.L2019
        bases.append((consistent_values(rng, layout), layout, "generated"))
    return bases


def relation_cells(layout: Layout) -> list[str]:
    return sorted({k for r in relations(layout) for k in r.keys})


def expected_broken(layout: Layout, truth: dict, values: dict) -> set[str]:
    out = set()
    for r in relations(layout):
        if sum(values[k] for k in r.lhs) != sum(values[k] for k in r.rhs):
            out.add(r.id)
    return out


def inject(rng, bases, n_cells: int):
    """A simulated reading of a random base document with exactly ``n_cells`` misread relation cells."""
    while True:
        truth, layout, origin = rng.choice(bases)
        cells = rng.sample(relation_cells(layout), n_cells)
        doc = simulate(rng, truth, layout, ocr=True, wrong=set(cells))
        if sorted(doc.misread) == sorted(cells):
            values = doc.extraction.values()
            broken = expected_broken(layout, truth, values)
            if broken:
                return doc, layout, origin, cells, broken


def run_singles(rng, bases, n: int, settings: ValidateSettings) -> dict:
    res = {"n": 0, "detected": 0, "top1": 0, "top3": 0, "kind_misread": 0, "times": []}
    by = {}
    for _ in range(n):
        doc, layout, origin, (cell,), broken = inject(rng, bases, 1)
        f = doc.extraction.fields[cell]
        in_alts = any(a.text == str(doc.truth[cell]) for a in f.alternatives)
        t0 = time.perf_counter()
        ex = validate(doc.extraction, settings)
        res["times"].append(time.perf_counter() - t0)
        reported = {c.relation for c in ex.checks if c.status == CheckStatus.BROKEN and c.rule != "narrative"}
        truth_v = doc.truth[cell]
        hits = [s for s in ex.suggestions if s.field == cell and s.suggested == truth_v]
        top1 = any(s.rank == 1 for s in hits) and all(s.field == cell for s in ex.suggestions if s.rank == 1)
        top3 = any(s.rank <= 3 for s in hits)
        res["n"] += 1
        res["detected"] += broken <= reported
        res["top1"] += top1
        res["top3"] += top3
        res["kind_misread"] += any(s.kind == "misread" for s in hits)
        table = "四" if not cell.startswith("applications.") else "三"
        for group in (f"table {table}", f"true reading {'in' if in_alts else 'not in'} alternatives", origin, f"layout {layout.value}"):
            g = by.setdefault(group, [0, 0, 0])
            g[0] += 1
            g[1] += top1
            g[2] += top3
    res["by"] = by
    return res


def run_pairs(rng, bases, n: int, settings: ValidateSettings) -> dict:
    res = {"n": 0, "detected": 0, "localised": 0, "values": 0, "times": []}
    for _ in range(n):
        doc, layout, origin, cells, broken = inject(rng, bases, 2)
        t0 = time.perf_counter()
        ex = validate(doc.extraction, settings)
        res["times"].append(time.perf_counter() - t0)
        reported = {c.relation for c in ex.checks if c.status == CheckStatus.BROKEN and c.rule != "narrative"}
        rank1 = [s for s in ex.suggestions if s.rank == 1]
        res["n"] += 1
        res["detected"] += broken <= reported
        loc = {s.field for s in rank1} == set(cells)
        res["localised"] += loc
        res["values"] += loc and all(s.suggested == doc.truth[s.field] for s in rank1)
    return res


def calibration(rng, n_docs: int, settings: ValidateSettings) -> dict:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from calibrate import generate

    docs = generate(rng, n_docs)
    pairs: list[tuple[float, bool, str]] = []
    for doc in docs:
        ex = validate(doc.extraction, settings)
        for key, f in ex.fields.items():
            pairs.append((f.confidence, f.value == doc.truth[key], f.status.value))
    n = len(pairs)
    bins = [[0, 0.0, 0] for _ in range(10)]
    for c, ok, _ in pairs:
        b = min(9, int(c * 10))
        bins[b][0] += 1
        bins[b][1] += c
        bins[b][2] += ok
    ece = sum(abs(s / k - r / k) * k / n for k, s, r in bins if k)
    ranked = sorted(pairs, key=lambda p: -p[0])
    wrong_total = sum(1 for _, ok, _ in pairs if not ok)
    # largest accepted prefix (highest confidence first) that is ≥ 99.95 % right
    best, wrong = 0, 0
    for i, (_, ok, _) in enumerate(ranked, start=1):
        wrong += not ok
        if wrong / i <= 0.0005:
            best = i
    accepted = [p for p in pairs if p[2] == "ok"]
    acc_ok = sum(ok for _, ok, _ in accepted)
    return {
        "fields": n,
        "wrong": wrong_total,
        "bins": bins,
        "ece": ece,
        "review_rate_9995": 1 - best / n,
        "threshold_rate": 1 - len(accepted) / n,
        "threshold_accuracy": acc_ok / max(1, len(accepted)),
        "wrong_caught": sum(1 for _, ok, st in pairs if not ok and st == "review") / max(1, wrong_total),
    }


def pct(a: float, b: float | None = None) -> str:
    v = a if b is None else (a / b if b else 0.0)
    return f"{100 * v:.1f} %"


def ms(times: list[float]) -> str:
    t = sorted(times)
    return f"mean {1000 * statistics.mean(t):.1f} ms, p95 {1000 * t[int(0.95 * (len(t) - 1))]:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--singles", type=int, default=800)
    ap.add_argument("--pairs", type=int, default=400)
    ap.add_argument("--docs", type=int, default=400, help="documents of the calibration population")
    ap.add_argument("--bases", type=int, default=150, help="generated consistent documents to inject into")
    ap.add_argument("--seed", type=int, default=2)
    args = ap.parse_args(argv)
    settings = ValidateSettings()
    start = time.perf_counter()
    rng = random.Random(args.seed)
    bases = base_documents(rng, args.bases)
    singles = run_singles(rng, bases, args.singles, settings)
    pairs = run_pairs(rng, bases, args.pairs, settings)
    cal = calibration(random.Random(args.seed + 1000), args.docs, settings)
    elapsed = time.perf_counter() - start

    s, p = singles, pairs
    top1, top3, loc = s["top1"] / s["n"], s["top3"] / s["n"], p["localised"] / p["n"]
    print("# Repair benchmark\n")
    print(f"seed {args.seed}; {len(bases)} consistent base documents ({'seed report + ' if load_seed() else ''}generated); "
          f"{elapsed:.1f} s in all\n")
    print("| measure | value | target |")
    print("|---|---|---|")
    print(f"| single misreads injected | {s['n']} | ≥ 500 |")
    print(f"| broken relations detected (single) | {pct(s['detected'], s['n'])} | 100 % |")
    print(f"| top-1 suggestion right | {pct(top1)} | ≥ 90 % {'✓' if top1 >= TARGETS['top1'] else '✗'} |")
    print(f"| top-3 suggestion right | {pct(top3)} | ≥ 98 % {'✓' if top3 >= TARGETS['top3'] else '✗'} |")
    print(f"| right suggestion of kind misread | {pct(s['kind_misread'], s['n'])} | |")
    print(f"| two-cell errors injected | {p['n']} | |")
    print(f"| broken relations detected (two-cell) | {pct(p['detected'], p['n'])} | 100 % |")
    print(f"| two-cell errors localised (rank-1 cells = the two cells) | {pct(loc)} | ≥ 80 % {'✓' if loc >= TARGETS['pairs'] else '✗'} |")
    print(f"| … and both values right | {pct(p['values'], p['n'])} | |")
    print(f"| validate() time, single | {ms(s['times'])} | < 50 ms |")
    print(f"| validate() time, two-cell | {ms(p['times'])} | < 50 ms |")
    print("\n## Single misreads by group\n")
    print("| group | n | top-1 | top-3 |")
    print("|---|---|---|---|")
    for g, (n, a, b) in sorted(s["by"].items()):
        print(f"| {g} | {n} | {pct(a, n)} | {pct(b, n)} |")
    print("\n## Calibration of field confidence\n")
    print(f"{args.docs} generated documents (70 % scans with 1 % misread cells, 30 % text layer; mapping errors 0.2 %): "
          f"{cal['fields']} fields, {cal['wrong']} wrong.\n")
    print("| confidence bin | fields | mean confidence | share right |")
    print("|---|---|---|---|")
    for i, (k, sc, r) in enumerate(cal["bins"]):
        if k:
            print(f"| {i / 10:.1f}–{(i + 1) / 10:.1f} | {k} | {sc / k:.4f} | {r / k:.4f} |")
        else:
            print(f"| {i / 10:.1f}–{(i + 1) / 10:.1f} | 0 | – | – |")
    rr = cal["review_rate_9995"]
    print()
    print(f"- expected calibration error (10 bins): **{cal['ece']:.5f}**")
    print(f"- review rate for auto-accepted fields ≥ 99.95 % right: **{pct(rr)}** (goal ≤ 3 % {'✓' if rr <= TARGETS['review_rate'] else '✗'})")
    print(f"- at review_threshold {settings.review_threshold}: review rate {pct(cal['threshold_rate'])}, "
          f"accepted fields right {100 * cal['threshold_accuracy']:.3f} %, wrong fields sent to review {pct(cal['wrong_caught'])}")
    return 0


def bench_markdown(files=None, quick: bool = False) -> str:
    """This benchmark's report as markdown, for scripts/bench.py (``files`` unused: it makes its own)."""
    import contextlib
    import io

    args = ["--singles", "500", "--pairs", "200", "--docs", "150", "--bases", "60"] if quick else []
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        main(args)
    return buf.getvalue().replace("# Repair benchmark\n", "", 1)


if __name__ == "__main__":
    raise SystemExit(main())
