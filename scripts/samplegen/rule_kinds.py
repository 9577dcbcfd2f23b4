"""Rule kinds of the generator's scans (``scan.HARD_KINDS``): table 三's and 四's ruling lines
broken the ways real prints and scans break them — a piece painted out, printed twice, faint,
a rule missing in the header — each drawn on the page image and returned as its parameters for
the truth's meta (``degradations``). Box arguments are pixel boxes of a table part on the
rendered page (``make_scan`` scales the render's table boxes)."""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

VALUE_COLUMNS = 7  # table 三's number columns (自然人 … 总计)


def rule_positions(arr: np.ndarray, box_px, horizontal: bool) -> list[int]:
    """Pixel positions of the full rules inside ``box_px`` (x of vertical rules in the table's
    right half — between number columns — or y of horizontal rules in its lower 80 %)."""
    x0, y0, x1, y1 = (int(v) for v in box_px)
    x_from = x0 + int(0.55 * (x1 - x0))
    region = arr[y0:y1, x_from:x1] < 128
    if region.size == 0:
        return []
    dark = region.mean(axis=1 if horizontal else 0)
    lo = int(0.2 * len(dark)) if horizontal else 0
    hi = len(dark) - 6
    out = [i for i in range(lo, hi) if dark[i] > 0.85 and dark[i] >= dark[max(0, i - 1)]
           and dark[i] >= dark[min(len(dark) - 1, i + 1)]]
    out = [i for k, i in enumerate(out) if k == 0 or i - out[k - 1] > 3]  # one per rule
    return [(y0 if horizontal else x_from) + i for i in out]


def alter_rule(img: Image.Image, kind: str, box_px, rng: random.Random) -> dict | None:
    """``doubled_rule``, ``faint_rule`` or ``missing_hrule`` on table 三 (see the docstring)."""
    arr = np.asarray(img.convert("L"))
    x0, y0, x1, y1 = (int(v) for v in box_px)
    draw = ImageDraw.Draw(img)
    if kind == "missing_hrule":
        ys = rule_positions(arr, box_px, horizontal=True)
        if not ys:
            return None
        y = rng.choice(ys)
        left = x0 + int(0.4 * (x1 - x0))
        draw.rectangle((left, y - 3, x1 - 6, y + 3), fill=(255, 255, 255))
        return {"y_px": y, "x_from_px": left}
    xs = [x for x in rule_positions(arr, box_px, horizontal=False) if x < x1 - 8]
    if not xs:
        return None
    x = rng.choice(xs)
    if kind == "faint_rule":
        keep = rng.uniform(0.25, 0.4)
        px = np.asarray(img).copy()
        band = px[y0:y1, x - 2 : x + 3].astype(np.float32)
        px[y0:y1, x - 2 : x + 3] = (255 - (255 - band) * keep).astype(np.uint8)
        img.paste(Image.fromarray(px))
        return {"x_px": x, "contrast": round(keep, 2)}
    off = rng.choice([-1, 1]) * rng.randint(3, 5)
    h = int((y1 - y0) * rng.uniform(0.33, 0.66))
    top = rng.randint(y0, max(y0, y1 - h))
    draw.line((x + off, top, x + off, top + h), fill=(20, 20, 20), width=1)
    return {"x_px": x, "offset_px": off, "top_px": top, "height_px": h}


def erase_rule(img: Image.Image, box_px: tuple[float, float, float, float], rng: random.Random) -> dict | None:
    """Paint out a piece of one vertical rule between two number columns of table 三 (right
    half of the table), about two rows tall: a rule the printer or the scan lost."""
    x0, y0, x1, y1 = (int(v) for v in box_px)
    dark = _column_darkness(img, box_px)
    if dark is None:
        return None
    xs = [x for x in range(int(0.55 * (x1 - x0)), x1 - x0 - 6) if dark[x] > 0.85 and dark[x] >= dark[max(0, x - 1)]
          and dark[x] >= dark[min(len(dark) - 1, x + 1)]]
    if not xs:
        return None
    x = x0 + rng.choice(xs)
    h = max(20, int(0.06 * (y1 - y0)))
    return _paint_out(img, x, rng.randint(y0 + int(0.4 * (y1 - y0)), max(y0 + int(0.4 * (y1 - y0)) + 1, y1 - h - 5)), h)


def _column_darkness(img: Image.Image, box_px) -> np.ndarray | None:
    """The share of dark pixels in each pixel column of ``box_px`` (None: an empty box)."""
    x0, y0, x1, y1 = (int(v) for v in box_px)
    region = np.asarray(img.convert("L"))[y0:y1, x0:x1] < 128
    return region.mean(axis=0) if region.size else None


def _paint_out(img: Image.Image, x: int, top: int, h: int) -> dict:
    """A piece of the vertical rule at ``x`` painted white from ``top``, ``h`` px tall."""
    ImageDraw.Draw(img).rectangle((x - 4, top, x + 4, top + h), fill=(255, 255, 255))
    return {"x_px": x, "top_px": top, "height_px": h}


def erase_label_rule(img: Image.Image, box_px: tuple[float, float, float, float], rng: random.Random) -> dict | None:
    """Paint out a piece, one or two rows tall, of the rule where table 三's number columns start,
    at the foot of the table's part ``box_px`` (its last part: rows whose labels span three
    columns): a row's label and its first number printed in one cell. The number columns are
    of one width: their rules are the evenly spaced run of full rules at the table's right (at
    least ``VALUE_COLUMNS - 1`` of them); the line is the run's leftmost."""
    x0, y0, x1, y1 = (int(v) for v in box_px)
    dark = _column_darkness(img, box_px)
    if dark is None:
        return None
    xs = [x for x in range(1, x1 - x0 - 1) if dark[x] > 0.85 and dark[x] >= dark[x - 1] and dark[x] >= dark[x + 1]]
    xs = [x for k, x in enumerate(xs) if k == 0 or x - xs[k - 1] > 3]  # one per rule
    if len(xs) < 3:
        return None
    step, run = xs[-1] - xs[-2], 2
    while run < len(xs) and abs((xs[-run] - xs[-run - 1]) - step) <= 0.2 * step:
        run += 1
    if run < VALUE_COLUMNS - 1 or xs[-run] < step:  # no label column left of the run
        return None
    x = x0 + xs[-run]
    h = rng.randint(max(20, int(0.04 * (y1 - y0))), max(21, int(0.08 * (y1 - y0))))
    return _paint_out(img, x, y1 - h - rng.randint(5, 12), h)  # the last rows: 四、结转下年度继续办理, (七)总计


def erase_t4_rule(img: Image.Image, box_px: tuple[float, float, float, float], rng: random.Random) -> dict | None:
    """Paint out one inner vertical rule of table 四 from its column titles down (the lower 45 %
    of the table: the titles' row and the numbers' row), not the table's outer frame."""
    arr = np.asarray(img.convert("L"))
    x0, y0, x1, y1 = (int(v) for v in box_px)
    top = y0 + int(0.55 * (y1 - y0))
    region = arr[top:y1, x0:x1] < 128
    if region.size == 0:
        return None
    dark = region.mean(axis=0)
    xs = [x for x in range(8, x1 - x0 - 8) if dark[x] > 0.85 and dark[x] >= dark[max(0, x - 1)]
          and dark[x] >= dark[min(len(dark) - 1, x + 1)]]
    xs = [x for k, x in enumerate(xs) if k == 0 or x - xs[k - 1] > 3]  # one per rule
    if not xs:
        return None
    x = x0 + rng.choice(xs)
    ImageDraw.Draw(img).rectangle((x - 4, top, x + 4, y1 - 3), fill=(255, 255, 255))
    return {"x_px": x, "top_px": top, "bottom_px": y1 - 3}


def _value_rules(dark: np.ndarray, share: float) -> list[int] | None:
    """x (px from the box's left) of the evenly spaced run of rules at the table's right — the
    number columns' — dark over at least ``share`` of the box's height; None: fewer than
    ``VALUE_COLUMNS`` (自然人's left, the group's rules, 总计's left)."""
    xs = [x for x in range(1, len(dark) - 1) if dark[x] > share and dark[x] >= dark[x - 1] and dark[x] >= dark[x + 1]]
    xs = [x for k, x in enumerate(xs) if k == 0 or x - xs[k - 1] > 3]  # one per rule
    if len(xs) < VALUE_COLUMNS:
        return None
    step, run = xs[-1] - xs[-2], 2
    while run < len(xs) and abs((xs[-run] - xs[-run - 1]) - step) <= 0.2 * step:
        run += 1
    return xs[-run:] if run >= VALUE_COLUMNS else None


def erase_header_rule(img: Image.Image, box_px: tuple[float, float, float, float], rng: random.Random) -> dict | None:
    """Paint out, in table 三's header (``box_px``: the table's part that holds it), the rule
    between two titles under 法人或其他组织 (商业企业 | 科研机构 … 法律服务机构 | 其他), in the
    titles' row alone — the one row of the header where it stands: two titles printed in one
    cell over two columns of numbers, which are whose cannot be told by the rules. The number
    columns are the evenly spaced run of full rules at the table's right (as
    ``erase_label_rule``); the titles' row lies between the third and fourth horizontal rules
    across the group's columns (the frame, 申请人情况's, 法人或其他组织's)."""
    x0, y0, x1, y1 = (int(v) for v in box_px)
    dark = _column_darkness(img, box_px)
    if dark is None:
        return None
    # a part that is little more than the header (the table starts at a page's foot): the
    # group's rules stand in its titles' row alone, a small share of the part's height
    rules = next((r for r in (_value_rules(dark, share) for share in (0.85, 0.5, 0.15)) if r), None)
    if rules is None:
        return None
    group = np.asarray(img.convert("L"))[y0:y1, x0 + rules[1] + 3 : x0 + rules[6] - 3] < 128
    if group.size == 0:
        return None
    rows = group.mean(axis=1)
    ys = [y for y in range(1, len(rows) - 1) if rows[y] > 0.85 and rows[y] >= rows[y - 1] and rows[y] >= rows[y + 1]]
    ys = [y for k, y in enumerate(ys) if k == 0 or y - ys[k - 1] > 3]
    if len(ys) < 4:
        return None
    x = x0 + rng.choice(rules[2:6])
    top, bottom = y0 + ys[2] + 4, y0 + ys[3] - 4
    return {**_paint_out(img, x, top, bottom - top), "titles_row_px": [y0 + ys[2], y0 + ys[3]]}
