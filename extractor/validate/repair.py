"""Error localisation and ranked repair suggestions for broken relations.

Fellegi–Holt: find the smallest set of cells whose change makes every relation hold, weighted by
how much each cell is to be trusted. The relations (``models.relations``) are sparse linear
equalities ``sum(lhs) - sum(rhs) == 0`` over non-negative integers, so the search is small:

1. broken relations are grouped into clusters that share cells; each cluster is repaired alone;
2. for each cluster, every cell of its broken relations is tried alone (size 1), then pairs
   (size 2) — only when no single cell works; then, up to ``max_error_cells``, a bounded
   depth-first search (``_solve_deep``). A set is feasible when the changed cells appear in
   every broken relation of the cluster and the linear system "every relation touching a changed
   cell holds" has a non-negative integer solution (unique; when the system is under-determined
   the cell's one-typo variants and recogniser alternatives are tried);
3. feasible repairs are scored ``prod(prior odds of an error in the cell × P(printed | suggested))``:
   prior odds from the recogniser / structure / label evidence (OCR) or the rate of printing
   errors (text layer, totals more often than parts); P(printed | suggested) from the
   recogniser's alternatives, per-character scores and the digit-confusion single-typo model
   (``typos``). Scores are normalised over the cluster's repairs into probabilities.

The top ``max_suggestions`` repairs of a cluster become ``Suggestion`` s ranked 1, 2, 3 (a
two-cell repair gives two suggestions of the same rank).
"""

from __future__ import annotations

from dataclasses import dataclass, field as dc_field
from fractions import Fraction
from itertools import combinations

from models.extraction import Check, CheckStatus, Extraction, Field, Source, Suggestion, SuggestionKind
from models.relations import relations

from extractor.validate import typos
from extractor.validate.checks import layout_of
from extractor.validate.evidence import evidence_of
from extractor.validate.settings import ValidateSettings
from extractor.validate.values import as_fraction, as_number, digits_of, tidy

_ALT_WEIGHT = 1.0  # P(printed | true) when the true reading is among the alternatives, × its score
_FLOOR_OCR = 2e-4  # an OCR cell is wrong in a way the typo model does not know
_FLOOR_SOURCE = 0.05  # a printed number is simply wrong (author miscounted)
_TOTAL_FACTOR = 4.0  # text layer: a total is more often the wrong one than a part


@dataclass
class Repair:
    """One feasible repair of a cluster: cells and their new values."""

    changes: dict[str, Fraction]
    score: float = 0.0
    probability: float = 0.0
    kinds: dict[str, SuggestionKind] = dc_field(default_factory=dict)


@dataclass
class Cluster:
    broken: list[int]  # relation indices
    repairs: list[Repair]
    cells: list[str]  # every cell of the broken relations

    @property
    def localised(self) -> bool:
        return bool(self.repairs)


@dataclass
class RepairResult:
    clusters: list[Cluster]
    suggestions: list[Suggestion]
    error_probability: dict[str, float]  # P(cell is an error) from the repairs
    candidates: set[str]  # localised error candidates (any repair's cells; all cells if none found)


class _System:
    """The active relations as sparse rows: residual (lhs − rhs) and cell coefficients."""

    def __init__(self, extraction: Extraction, checks: list[Check]):
        rels = relations(layout_of(extraction))
        by_id = {c.relation: c for c in checks}
        self.ids: list[str] = []
        self.residual: list[Fraction] = []
        self.coefs: list[dict[str, int]] = []
        self.cell_rels: dict[str, list[int]] = {}
        self.broken: list[int] = []
        values = extraction.values()
        for rel in rels:
            check = by_id.get(rel.id)
            if check is None or check.status == CheckStatus.MISSING:
                continue
            nums = {k: as_number(values.get(k)) for k in rel.keys}
            if any(v is None for v in nums.values()):
                continue
            coef: dict[str, int] = {}
            for k in rel.lhs:
                coef[k] = coef.get(k, 0) + 1
            for k in rel.rhs:
                coef[k] = coef.get(k, 0) - 1
            res = sum((as_fraction(nums[k]) * c for k, c in coef.items()), Fraction(0))
            i = len(self.ids)
            self.ids.append(rel.id)
            self.residual.append(res)
            self.coefs.append(coef)
            for k in coef:
                self.cell_rels.setdefault(k, []).append(i)
            if res != 0:
                self.broken.append(i)

    def clusters(self) -> list[list[int]]:
        parent = {i: i for i in self.broken}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        broken = set(self.broken)
        for cell, rs in self.cell_rels.items():
            bs = [r for r in rs if r in broken]
            for a, b in zip(bs, bs[1:]):
                ra, rb = find(a), find(b)
                if ra != rb:
                    parent[ra] = rb
        groups: dict[int, list[int]] = {}
        for i in self.broken:
            groups.setdefault(find(i), []).append(i)
        return sorted(groups.values(), key=lambda g: g[0])


class _CellModel:
    """Prior odds that a cell is wrong and P(printed | candidate) for one field."""

    def __init__(self, field: Field, settings: ValidateSettings):
        self.field = field
        ev = evidence_of(field)
        self.is_ocr = ev.is_ocr
        self.printed = digits_of(field.raw, field.value)
        is_total = field.key.endswith(".total") or ".closed_total." in field.key
        if self.is_ocr:
            q = 1.0 - ev.product
            q = max(settings.min_ocr_error_rate, q)
        else:
            q = settings.source_error_rate * (_TOTAL_FACTOR if is_total else 1.0)
            q = 1.0 - (1.0 - q) * ev.structure * ev.label
        q = min(q, 0.95)
        self.odds = q / (1.0 - q)
        self.alts: dict[str, float] = {}
        for alt in field.alternatives:
            d = digits_of(alt.text, None)
            if d and d != self.printed:
                self.alts[d] = max(self.alts.get(d, 0.0), float(alt.score))

    def likelihood(self, value: Fraction) -> tuple[float, SuggestionKind]:
        true = str(tidy(value))
        typo = typos.likelihood(self.printed, true, self.field.char_scores or None)
        if self.is_ocr:
            alt = self.alts.get(true, 0.0) * _ALT_WEIGHT
            if alt > 0 or typo > 0:
                return alt + typo + _FLOOR_OCR, SuggestionKind.MISREAD
            return _FLOOR_OCR, SuggestionKind.SOURCE
        return _FLOOR_SOURCE + 0.5 * typo, SuggestionKind.SOURCE

    def candidate_values(self, limit: int = 40) -> list[Fraction]:
        vals: list[str] = list(self.alts)
        vals += [v for v, _ in typos.variants(self.printed, self.field.char_scores or None)[:limit]]
        out: list[Fraction] = []
        for v in vals:
            try:
                out.append(Fraction(v))
            except (ValueError, ZeroDivisionError):
                continue
        return out


def _ok_value(v: Fraction) -> bool:
    return v.denominator == 1 and v >= 0


def _solve_single(sys: _System, cell: str, cluster: set[int], current: Fraction) -> Fraction | None:
    rels = sys.cell_rels.get(cell, [])
    if not cluster.issubset(rels):
        return None
    delta: Fraction | None = None
    for r in rels:
        d = -sys.residual[r] / sys.coefs[r][cell]
        if delta is None:
            delta = d
        elif d != delta:
            return None
    if not delta:
        return None
    new = current + delta
    return new if _ok_value(new) else None


def _solve_pair(
    sys: _System, a: str, b: str, cur: dict[str, Fraction], models: dict[str, _CellModel]
) -> list[tuple[Fraction, Fraction]]:
    rels = sorted(set(sys.cell_rels.get(a, [])) | set(sys.cell_rels.get(b, [])))
    eqs = [(sys.coefs[r].get(a, 0), sys.coefs[r].get(b, 0), -sys.residual[r]) for r in rels]
    # find two independent equations
    pivot = None
    for i in range(len(eqs)):
        for j in range(i + 1, len(eqs)):
            det = eqs[i][0] * eqs[j][1] - eqs[i][1] * eqs[j][0]
            if det != 0:
                pivot = (i, j, det)
                break
        if pivot:
            break
    sols: list[tuple[Fraction, Fraction]] = []
    if pivot:
        i, j, det = pivot
        (a1, b1, c1), (a2, b2, c2) = eqs[i], eqs[j]
        da = Fraction(c1 * b2 - b1 * c2) / det
        db = Fraction(a1 * c2 - c1 * a2) / det
        sols = [(da, db)]
    else:
        # under-determined (a and b only in the same relations): try a's plausible readings
        for va in models[a].candidate_values():
            da = va - cur[a]
            db = None
            for ca, cb, c in eqs:
                if cb:
                    db = (c - ca * da) / cb
                    break
            if db is not None:
                sols.append((da, db))
    out = []
    for da, db in sols:
        if da == 0 or db == 0:
            continue
        if any(ca * da + cb * db != c for ca, cb, c in eqs):
            continue
        na, nb = cur[a] + da, cur[b] + db
        if _ok_value(na) and _ok_value(nb):
            out.append((na, nb))
    return out


def _solve_deep(
    sys: _System,
    cluster: list[int],
    cur: dict[str, Fraction],
    models: dict[str, _CellModel],
    model,
    max_size: int,
    node_limit: int,
) -> list[dict[str, Fraction]]:
    """Depth-first search for repairs of 3 … ``max_size`` cells (iterative deepening).

    Branches on the cells of the broken relation with fewest cells (one of them must change);
    a cell's new value is one that makes one of its broken relations hold, or one of its
    plausible readings, and it must make at least one broken relation hold.
    """
    res = dict(enumerate(sys.residual))
    found: dict[frozenset, dict[str, Fraction]] = {}
    nodes = 0
    max_cover = max((len(v) for v in sys.cell_rels.values()), default=1)

    def dfs(changes: dict[str, Fraction], budget: int) -> None:
        nonlocal nodes
        nodes += 1
        if nodes > node_limit:
            return
        broken = [r for r, v in res.items() if v != 0]
        if not broken:
            key = frozenset(changes.items())
            found.setdefault(key, dict(changes))
            return
        if budget == 0 or len(broken) > max_cover * budget:
            return
        target = min(broken, key=lambda r: (sum(1 for c in sys.coefs[r] if c not in changes), r))
        for c in sys.coefs[target]:
            if c in changes or c not in sys.cell_rels:
                continue
            model(c)
            rels = sys.cell_rels[c]
            deltas: list[Fraction] = []
            for r in rels:
                if res[r] != 0:
                    d = -res[r] / sys.coefs[r][c]
                    if d not in deltas:
                        deltas.append(d)
            for v in models[c].candidate_values(limit=3)[:3]:
                d = v - cur[c]
                if d not in deltas:
                    deltas.append(d)
            for d in deltas:
                new = cur[c] + d
                if d == 0 or not _ok_value(new):
                    continue
                if not any(res[r] != 0 and res[r] + sys.coefs[r][c] * d == 0 for r in rels):
                    continue
                for r in rels:
                    res[r] += sys.coefs[r][c] * d
                changes[c] = new
                dfs(changes, budget - 1)
                del changes[c]
                for r in rels:
                    res[r] -= sys.coefs[r][c] * d

    for size in range(3, max_size + 1):
        dfs({}, size)
        if found or nodes > node_limit:
            break
    return list(found.values())


def localise(extraction: Extraction, checks: list[Check], settings: ValidateSettings | None = None) -> RepairResult:
    """Localise the errors behind broken relations and rank repairs (see the module docstring)."""
    settings = settings or ValidateSettings()
    sys = _System(extraction, checks)
    clusters: list[Cluster] = []
    suggestions: list[Suggestion] = []
    repair_id = 0  # numbers each repair across groups; its cells share the id
    err_prob: dict[str, float] = {}
    candidates: set[str] = set()
    models: dict[str, _CellModel] = {}
    cur: dict[str, Fraction] = {}

    def model(cell: str) -> _CellModel:
        if cell not in models:
            models[cell] = _CellModel(extraction.fields[cell], settings)
            cur[cell] = as_fraction(as_number(extraction.fields[cell].value))
        return models[cell]

    for group in sys.clusters():
        gset = set(group)
        cells = sorted({c for r in group for c in sys.coefs[r]}, key=lambda c: (min(sys.cell_rels[c]), c))
        for c in cells:
            model(c)
        repairs: list[Repair] = []
        for c in cells:
            new = _solve_single(sys, c, gset, cur[c])
            if new is not None:
                repairs.append(Repair(changes={c: new}))
        if not repairs and settings.max_error_cells >= 2:
            masks = {c: gset.intersection(sys.cell_rels[c]) for c in cells}
            for a, b in combinations(cells, 2):
                if not gset.issubset(masks[a] | masks[b]):
                    continue
                for na, nb in _solve_pair(sys, a, b, cur, models):
                    repairs.append(Repair(changes={a: na, b: nb}))
        if not repairs and settings.max_error_cells >= 3:
            for changes in _solve_deep(sys, group, cur, models, model, settings.max_error_cells, settings.search_nodes):
                repairs.append(Repair(changes=changes))
        for rep in repairs:
            score = 1.0
            for c, v in rep.changes.items():
                m = models[c]
                lik, kind = m.likelihood(v)
                score *= m.odds * lik
                rep.kinds[c] = kind
            rep.score = score
        total = sum(r.score for r in repairs)
        for r in repairs:
            r.probability = r.score / total if total > 0 else 1.0 / len(repairs)
        repairs.sort(key=lambda r: (-r.score, sorted(r.changes)))
        clusters.append(Cluster(broken=group, repairs=repairs, cells=cells))
        if repairs:
            for r in repairs:
                for c in r.changes:
                    err_prob[c] = err_prob.get(c, 0.0) + r.probability
                    candidates.add(c)
        else:
            candidates.update(cells)
            for c in cells:
                err_prob[c] = max(err_prob.get(c, 0.0), 1.0 / max(1, len(cells)))
        for rank, r in enumerate(repairs[: settings.max_suggestions], start=1):
            repair_id += 1
            for c, v in r.changes.items():
                restores = [sys.ids[i] for i in group if c in sys.coefs[i]]
                suggestions.append(
                    Suggestion(
                        field=c,
                        printed=extraction.fields[c].value,
                        suggested=tidy(v),
                        probability=round(r.probability, 6),
                        restores=restores,
                        kind=r.kinds[c],
                        rank=rank,
                        repair=repair_id,
                    )
                )
    return RepairResult(clusters=clusters, suggestions=suggestions, error_probability=err_prob, candidates=candidates)


def suggest(extraction: Extraction, checks: list[Check], settings: ValidateSettings | None = None) -> list[Suggestion]:
    """Only the ranked suggestions of ``localise``."""
    return localise(extraction, checks, settings).suggestions
