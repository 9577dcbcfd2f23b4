"""A single-typo model of how a recogniser (or a typist) turns the true digits into the printed ones.

After Scholtus (2009, "Automatic correction of simple typing errors in numerical data with
balance edits"): one digit substituted, one digit dropped, one digit doubled (or inserted), or
two adjacent digits transposed. Substitutions between digits whose glyphs look alike
(1↔7, 0↔8, 3↔8, 5↔6, 6↔8, …) are far more likely for OCR than the others.

``likelihood(printed, true, char_scores)`` is a relative likelihood P(printed | true): the weight of
the error kind times how likely the error sits at that position (per-character scores of the
recogniser: a low score at position k makes an error there likely). 0 when no single typo turns
``true`` into ``printed``.
"""

from __future__ import annotations

# glyph confusions of OCR, symmetric; weights are relative to other error kinds
_PAIRS: dict[tuple[str, str], float] = {
    ("1", "7"): 0.30,
    ("0", "8"): 0.30,
    ("3", "8"): 0.25,
    ("5", "6"): 0.25,
    ("6", "8"): 0.25,
    ("0", "6"): 0.10,
    ("0", "9"): 0.10,
    ("8", "9"): 0.10,
    ("1", "4"): 0.08,
    ("2", "7"): 0.08,
    ("3", "5"): 0.08,
    ("5", "8"): 0.08,
    ("6", "9"): 0.06,
    ("4", "9"): 0.06,
    ("1", "2"): 0.04,
    ("2", "3"): 0.04,
}
CONFUSION: dict[tuple[str, str], float] = {}
for (a, b), w in _PAIRS.items():
    CONFUSION[(a, b)] = w
    CONFUSION[(b, a)] = w

W_OTHER_SUBSTITUTION = 0.015  # any other digit for a digit
W_DOUBLED = 0.15  # printed shows a digit twice (true "12", printed "122")
W_INSERTED = 0.02  # printed shows an extra digit that is not a repeat
W_DROPPED = 0.12  # printed lost a digit (true "120", printed "12")
W_TRANSPOSED = 0.10  # adjacent digits swapped (true "21", printed "12")
_EPS = 0.03  # position weight floor: even a confident character may be wrong


def substitution_weight(printed_digit: str, true_digit: str) -> float:
    return CONFUSION.get((printed_digit, true_digit), W_OTHER_SUBSTITUTION)


def _position_weights(n: int, char_scores: list[float] | None) -> list[float]:
    """A distribution over the n printed characters of where an error sits."""
    if n <= 0:
        return []
    if not char_scores or len(char_scores) != n:
        return [1.0 / n] * n
    raw = [max(0.0, 1.0 - min(1.0, float(s))) + _EPS for s in char_scores]
    total = sum(raw)
    return [r / total for r in raw]


def _valid(digits: str) -> bool:
    return digits.isdigit() and (digits == "0" or not digits.startswith("0"))


def likelihood(printed: str, true: str, char_scores: list[float] | None = None) -> float:
    """Relative P(printed | true) under the single-typo model; 0.0 when more than one typo apart."""
    if printed == true or not printed or not true:
        return 0.0
    pos = _position_weights(len(printed), char_scores)
    n, m = len(printed), len(true)
    best = 0.0
    if n == m:
        diff = [i for i in range(n) if printed[i] != true[i]]
        if len(diff) == 1:
            k = diff[0]
            best = max(best, substitution_weight(printed[k], true[k]) * pos[k])
        elif len(diff) == 2 and diff[1] == diff[0] + 1:
            k = diff[0]
            if printed[k] == true[k + 1] and printed[k + 1] == true[k]:
                best = max(best, W_TRANSPOSED * (pos[k] + pos[k + 1]) / 2)
    elif n == m + 1:
        # printed has an extra character at k
        for k in range(n):
            if printed[:k] + printed[k + 1 :] == true:
                doubled = (k > 0 and printed[k - 1] == printed[k]) or (k + 1 < n and printed[k + 1] == printed[k])
                best = max(best, (W_DOUBLED if doubled else W_INSERTED) * pos[k])
    elif m == n + 1:
        # printed lost the character true[k]
        for k in range(m):
            if true[:k] + true[k + 1 :] == printed:
                near = [pos[j] for j in (k - 1, k) if 0 <= j < n]
                best = max(best, W_DROPPED * (sum(near) / len(near) if near else 1.0))
    return best


def variants(printed: str, char_scores: list[float] | None = None) -> list[tuple[str, float]]:
    """Every digit string one typo away from ``printed``, with P(printed | variant), best first."""
    if not printed.isdigit():
        return []
    out: dict[str, float] = {}
    n = len(printed)
    cands: set[str] = set()
    for k in range(n):
        for d in "0123456789":
            if d != printed[k]:
                cands.add(printed[:k] + d + printed[k + 1 :])
        cands.add(printed[:k] + printed[k + 1 :])
        if k + 1 < n:
            cands.add(printed[:k] + printed[k + 1] + printed[k] + printed[k + 2 :])
    for k in range(n + 1):
        for d in "0123456789":
            cands.add(printed[:k] + d + printed[k:])
    for c in cands:
        if c != printed and _valid(c):
            w = likelihood(printed, c, char_scores)
            if w > 0:
                out[c] = max(out.get(c, 0.0), w)
    return sorted(out.items(), key=lambda kv: (-kv[1], kv[0]))
