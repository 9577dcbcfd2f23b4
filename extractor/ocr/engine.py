"""Recognisers behind one small interface: crops in, text + scores + alternatives out.

Two calls, both on RGB uint8 arrays:

* ``recognize(crops)`` — recogniser only (no detector), batched. Table cells are cut out of the
  page by the image grid and read directly; this is what makes scans fast. Each result carries
  per-character scores and, from the CTC output, the runner-up readings so that the repair
  stage can try "the 8 that might be a 3".
* ``detect(image)`` — detector + recogniser on a whole image. The scan reader does not need it
  (text outside the tables is cut into lines from the image's ink and read by ``recognize``);
  the benchmark compares against it. rapidocr's pipeline is loaded on the first call only.

Backends: ``rapidocr`` (default; PP-OCRv6 small det + rec ONNX models shipped inside the rapidocr
wheel, loaded from there — nothing is ever downloaded) and ``paddle`` (PaddleOCR 3.x with local
model folders). The engine is made once per worker and reused for every document; its
onnxruntime threads come from ``Settings.ocr_threads`` (default 1: workers are the parallelism).
A worker with only the recogniser loaded holds ~140 MB; a 200 dpi page adds ~150 MB at its peak.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np

from extractor.errors import BackendUnavailable
from models.extraction import Alternative

Box = tuple[float, float, float, float]  # x0, y0, x1, y1 in pixels of the image given


@dataclass(slots=True)
class Recognition:
    """One crop read. ``score`` is the probability of the whole reading (product of its chars)."""

    text: str
    score: float
    char_scores: list[float] = field(default_factory=list)
    alternatives: list[Alternative] = field(default_factory=list)  # other whole readings, best first
    # per character of ``text``: the best other candidates at that position ("" = nothing there)
    char_alternatives: list[list[Alternative]] = field(default_factory=list)


class OcrEngine(Protocol):
    name: str

    def recognize(self, crops: list[np.ndarray]) -> list[Recognition]: ...

    def detect(self, image: np.ndarray) -> list[tuple[Box, str, float]]: ...


def ocr_threads(settings) -> int:
    """onnxruntime intra-op threads: ``settings.ocr_threads`` if the setting exists, else the
    GOVREPORT_OCR_THREADS environment variable, else 2 (1 on a single core). Bulk runs with one
    worker per core should set 1."""
    n = getattr(settings, "ocr_threads", None) or os.environ.get("GOVREPORT_OCR_THREADS")
    try:
        n = int(n) if n else min(2, os.cpu_count() or 1)
    except ValueError:
        n = 2
    return max(1, min(n, os.cpu_count() or 1))


def make_engine(settings) -> OcrEngine:
    """The recogniser ``settings.ocr_backend`` names. Raises ``BackendUnavailable`` if it cannot load."""
    backend = getattr(settings, "ocr_backend", "rapidocr")
    if backend == "paddle":
        return PaddleEngine(settings)
    if backend == "rapidocr":
        return RapidOcrEngine(settings)
    raise BackendUnavailable(f"unknown OCR backend {backend!r} (use 'rapidocr' or 'paddle')", code="backend_unknown")


# --------------------------------------------------------------------------------------------
# CTC decoding with alternatives (shared by every CTC recogniser)
# --------------------------------------------------------------------------------------------

TOP_K = 3  # candidates kept per character
MIN_ALT_PROB = 0.005  # a candidate less likely than this is not worth keeping
MAX_ALTERNATIVES = 6  # whole-string alternatives per crop


def ctc_decode(probs: np.ndarray, charset: list[str], width_frac: float = 1.0) -> Recognition:
    """Greedy CTC decode of one ``[T, C]`` probability matrix (class 0 = blank).

    ``width_frac``: the share of the T steps that cover the real crop (the rest is padding of the
    batch). Char score = the peak probability over the run of steps emitting it; its candidates
    come from the step of that peak. Alternatives substitute or drop one uncertain character.
    """
    t_used = max(1, min(probs.shape[0], int(math.ceil(probs.shape[0] * width_frac)) + 1))
    p = probs[:t_used]
    idx = p.argmax(axis=1)
    chars: list[str] = []
    scores: list[float] = []
    cands: list[list[Alternative]] = []
    drop_probs: list[float] = []
    t = 0
    while t < t_used:
        k = int(idx[t])
        if k == 0:
            t += 1
            continue
        start = t
        while t + 1 < t_used and idx[t + 1] == k:
            t += 1
        run = p[start : t + 1, k]
        peak = start + int(run.argmax())
        score = float(run.max())
        row = p[peak]
        # the TOP_K + 1 most likely classes at the peak (a partial sort: the charset is ~18k).
        # The row sums to 1: when the peak leaves less than MIN_ALT_PROB to the rest, no other
        # class can be kept and the sort is skipped (most characters of a clean print)
        if 1.0 - score < MIN_ALT_PROB:
            order = ()
        else:
            kk = min(TOP_K + 1, row.size)
            top = np.argpartition(row, -kk)[-kk:]
            order = top[np.argsort(row[top])[::-1]]
        alts = []
        for j in order:
            j = int(j)
            if j == k or row[j] < MIN_ALT_PROB:
                continue
            alts.append(Alternative(text="" if j == 0 else _char(charset, j), score=round(float(row[j]), 5)))
            if len(alts) >= TOP_K:
                break
        chars.append(_char(charset, k))
        scores.append(round(score, 5))
        cands.append(alts)
        drop_probs.append(float(row[0]))
        t += 1
    text = "".join(chars)
    if chars:
        total = float(np.exp(np.sum(np.log(np.clip(scores, 1e-9, 1.0)))))
    else:  # nothing read: how sure the recogniser is that nothing is there
        total = float(p[:, 0].min()) if len(p) else 0.0
        # any non-blank class that came close is an alternative reading of an "empty" crop
        j = int(p[:, 1:].max(axis=0).argmax()) + 1
        pj = float(p[:, j].max())
    alternatives = _string_alternatives(chars, scores, cands, total)
    if not chars and pj >= MIN_ALT_PROB:
        alternatives = [Alternative(text=_char(charset, j), score=round(pj, 5))]
    return Recognition(text=text, score=round(total, 5), char_scores=scores, alternatives=alternatives,
                       char_alternatives=cands)


def _char(charset: list[str], k: int) -> str:
    return charset[k] if k < len(charset) else ""


def _string_alternatives(chars, scores, cands, total) -> list[Alternative]:
    out: dict[str, float] = {}
    for i, (s, alts) in enumerate(zip(scores, cands)):
        rest = total / max(s, 1e-9)
        for a in alts:
            text = "".join(chars[:i]) + a.text + "".join(chars[i + 1 :])
            if text == "".join(chars):
                continue
            out[text] = max(out.get(text, 0.0), rest * a.score)
    # pairs of the two least certain characters (two misread digits in one cell)
    if len(chars) >= 2:
        weak = sorted(range(len(chars)), key=lambda i: scores[i])[:2]
        i, j = sorted(weak)
        for a in cands[i][:2]:
            for b in cands[j][:2]:
                c = list(chars)
                c[i], c[j] = a.text, b.text
                text = "".join(c)
                sc = total / max(scores[i] * scores[j], 1e-9) * a.score * b.score
                out[text] = max(out.get(text, 0.0), sc)
    ranked = sorted(out.items(), key=lambda kv: -kv[1])[:MAX_ALTERNATIVES]
    return [Alternative(text=t, score=round(s, 6)) for t, s in ranked if s > 1e-6]


# --------------------------------------------------------------------------------------------
# rapidocr (PP-OCRv6 small, ONNX, shipped in the wheel)
# --------------------------------------------------------------------------------------------


def rapidocr_model_paths() -> dict[str, Path]:
    """The det/rec ONNX files inside the installed rapidocr wheel (from its own config)."""
    try:
        import rapidocr
    except ImportError as e:  # pragma: no cover - a hard dependency
        raise BackendUnavailable(f"rapidocr is not installed ({e}); pip install rapidocr", code="backend_missing") from None
    import yaml

    root = Path(rapidocr.__file__).resolve().parent
    with (root / "config.yaml").open(encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    models = root / "models"
    paths = {}
    for task in ("Det", "Rec"):
        c = cfg[task]
        name = f"{c['ocr_version']}_{c['task_type']}_{c['model_type']}.onnx"
        paths[task.lower()] = models / name
    missing = [str(p) for p in paths.values() if not p.is_file()]
    if missing:
        raise BackendUnavailable(
            "the rapidocr wheel does not ship its default models here (would need a download, "
            f"which govreport never does): missing {', '.join(missing)}; install rapidocr>=3.10",
            code="backend_models_missing",
        )
    return paths


class RapidOcrEngine:
    """rapidocr's PP-OCRv6 small models. ``recognize`` runs the recogniser ONNX model in its own
    onnxruntime session (own batching and CTC decoding, for alternatives); ``detect`` is
    rapidocr's det + rec pipeline, loaded only the first time a page region needs it.

    Memory: the recogniser's output is a probability for each of ~18.7k classes at every 8 px
    of crop width (75 kB per step), and onnxruntime holds a few tensors of that size per batch
    (the projection, its bias, the softmax). A batch is therefore capped by its total padded
    width (``MAX_BATCH_WIDTH``), which also runs fastest per pixel: past ~1.5k px the
    projection's tensors fall out of the caches. No memory arena and no memory pattern: a
    worker's peak RSS is then the page's real need, not the largest batch ever seen.
    """

    name = "rapidocr"
    REC_HEIGHT = 48
    STRIDE = 8  # px of crop width per CTC step
    BATCH = 32
    MAX_BATCH_WIDTH = 1024  # px: sum of the padded widths of one batch
    MAX_WASTE = 0.2  # share of a batch's pixels that may be padding
    MIN_WIDTH = 48  # px: narrower crops are padded to this

    def __init__(self, settings=None):
        self.paths = rapidocr_model_paths()
        self.threads = ocr_threads(settings)
        self._session = _ort_session(self.paths["rec"], self.threads)
        self._input = self._session.get_inputs()[0].name
        meta = self._session.get_modelmeta().custom_metadata_map
        # as rapidocr's CTC decoder: class 0 is the CTC blank, the last class a space
        self.charset = ["blank", *meta["character"].splitlines(), " "]
        self._ocr = None  # rapidocr's det + rec pipeline, made on the first detect()

    # -- recogniser only -------------------------------------------------------------------
    def recognize(self, crops: list[np.ndarray]) -> list[Recognition]:
        if not crops:
            return []
        h = self.REC_HEIGHT
        prepared = [_prepare_rec(c, h) for c in crops]
        widths = [p.shape[2] for p in prepared]
        out: list[Recognition | None] = [None] * len(prepared)
        for idxs in plan_batches(widths, self.BATCH, self.MAX_BATCH_WIDTH, self.MAX_WASTE, min_width=self.MIN_WIDTH):
            width = max(max(widths[k] for k in idxs), self.MIN_WIDTH)
            batch = np.zeros((len(idxs), 3, h, width), dtype=np.float32)
            for b, k in enumerate(idxs):
                batch[b, :, :, : widths[k]] = prepared[k]
            probs = self._session.run(None, {self._input: batch})[0]
            del batch
            for b, k in enumerate(idxs):
                out[k] = ctc_decode(probs[b], self.charset, widths[k] / width)
            del probs
        return out  # type: ignore[return-value]

    # -- detector + recogniser -------------------------------------------------------------
    def detect(self, image: np.ndarray) -> list[tuple[Box, str, float]]:
        if image.size == 0:
            return []
        bgr = np.ascontiguousarray(_to_rgb(image)[:, :, ::-1])
        res = self._pipeline()(bgr, use_cls=False)
        boxes = getattr(res, "boxes", None)
        if boxes is None or getattr(res, "txts", None) is None:
            return []
        out = []
        for box, txt, score in zip(boxes, res.txts, res.scores):
            pts = np.asarray(box, dtype=np.float32).reshape(-1, 2)
            out.append(
                ((float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())),
                 str(txt), float(score))
            )
        return out

    def _pipeline(self):
        if self._ocr is None:
            import logging

            from rapidocr import RapidOCR

            for name in ("RapidOCR", "rapidocr"):
                logging.getLogger(name).setLevel(logging.WARNING)
            params = {
                "Global.use_cls": False,
                "Global.log_level": "warning",
                "Global.model_root_dir": str(self.paths["det"].parent),
                "Det.model_path": str(self.paths["det"]),
                "Rec.model_path": str(self.paths["rec"]),
                "EngineConfig.onnxruntime.intra_op_num_threads": self.threads,
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            }
            self._ocr = RapidOCR(params=params)
            self._ocr.update_params(use_cls=False)
        return self._ocr


def _ort_session(path: Path, threads: int):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.log_severity_level = 4
    so.intra_op_num_threads = threads
    so.inter_op_num_threads = 1
    so.enable_cpu_mem_arena = False  # freed tensors go back to the allocator, not a growing arena
    so.enable_mem_pattern = False  # no per-shape pre-planned block (every batch has its own width)
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def plan_batches(widths: list[int], max_count: int, max_width: int, max_waste: float,
                 min_width: int = 1) -> list[list[int]]:
    """Indices of ``widths`` grouped into batches, narrowest first. A batch pads every crop to
    its widest, so crops of similar width go together; a batch's padded total stays under
    ``max_width`` (or holds one crop) and its padding under ``max_waste`` of its pixels."""
    order = sorted(range(len(widths)), key=lambda i: widths[i])
    batches: list[list[int]] = []
    cur: list[int] = []
    used = 0
    for i in order:
        w = max(widths[i], min_width)
        if cur:
            n = len(cur) + 1
            padded = n * w  # ascending order: this crop is the widest so far
            if n > max_count or padded > max_width or (padded - used - w) > max_waste * padded:
                batches.append(cur)
                cur, used = [], 0
        cur.append(i)
        used += max(widths[i], min_width)
    if cur:
        batches.append(cur)
    return batches


def _to_rgb(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return np.repeat(img[:, :, None], 3, axis=2)
    if img.shape[2] == 4:
        return img[:, :, :3]
    return img


def _prepare_rec(crop: np.ndarray, height: int) -> np.ndarray:
    """A crop resized to ``height`` (aspect kept), BGR, CHW float in [-1, 1] — as PP-OCR trains."""
    import cv2

    img = _to_rgb(crop)
    h, w = img.shape[:2]
    if h < 2 or w < 2:
        img = np.full((height, height, 3), 255, np.uint8)
        h, w = img.shape[:2]
    new_w = max(8, int(math.ceil(height * w / h)))
    resized = cv2.resize(img, (new_w, height), interpolation=cv2.INTER_AREA if h > height else cv2.INTER_LINEAR)
    x = resized[:, :, ::-1].astype(np.float32).transpose(2, 0, 1)
    return (x / 127.5) - 1.0


# --------------------------------------------------------------------------------------------
# PaddleOCR 3.x with local model folders
# --------------------------------------------------------------------------------------------


class PaddleEngine:
    """PaddleOCR 3.x with model folders on disk (``settings.paddle_model_dir``). PaddleOCR ships no
    weights and would download them; we only ever point it at local folders."""

    name = "paddle"

    def __init__(self, settings):
        try:
            import paddleocr  # noqa: F401
        except ImportError as e:
            raise BackendUnavailable(
                f"ocr_backend='paddle' needs PaddleOCR 3.x: pip install 'govreport[paddle]' ({e})",
                code="backend_missing",
            ) from None
        root = getattr(settings, "paddle_model_dir", None)
        if root is None:
            raise BackendUnavailable(
                "ocr_backend='paddle' needs settings.paddle_model_dir: a folder holding the PaddleOCR "
                "detection and recognition model folders (nothing is downloaded)",
                code="backend_models_missing",
            )
        root = Path(root)
        det_dir, rec_dir = _find_paddle_models(root)
        os.environ.setdefault("PADDLE_PDX_DISABLE_MODEL_SOURCE_CHECK", "True")
        from paddleocr import PaddleOCR, TextRecognition

        kw = dict(
            text_detection_model_name=det_dir.name.removesuffix("_infer"),
            text_detection_model_dir=str(det_dir),
            text_recognition_model_name=rec_dir.name.removesuffix("_infer"),
            text_recognition_model_dir=str(rec_dir),
            use_doc_orientation_classify=False,
            use_doc_unwarping=False,
            use_textline_orientation=False,
            device="cpu",
            cpu_threads=ocr_threads(settings),
        )
        self._ocr = _paddle_make(PaddleOCR, kw)
        self._rec = _paddle_make(
            TextRecognition,
            dict(model_name=kw["text_recognition_model_name"], model_dir=str(rec_dir), device="cpu"),
        )

    def recognize(self, crops: list[np.ndarray]) -> list[Recognition]:
        if not crops:
            return []
        bgr = [np.ascontiguousarray(_to_rgb(c)[:, :, ::-1]) for c in crops]
        out = []
        for res in self._rec.predict(input=bgr, batch_size=16):
            text = str(res["rec_text"])
            score = float(res["rec_score"])
            # PaddleOCR returns no per-step output: spread the line score over its characters
            out.append(Recognition(text=text, score=score, char_scores=[score] * len(text)))
        return out

    def detect(self, image: np.ndarray) -> list[tuple[Box, str, float]]:
        bgr = np.ascontiguousarray(_to_rgb(image)[:, :, ::-1])
        out = []
        for res in self._ocr.predict(bgr):
            for poly, text, score in zip(res["rec_polys"], res["rec_texts"], res["rec_scores"]):
                pts = np.asarray(poly, dtype=np.float32).reshape(-1, 2)
                out.append(
                    ((float(pts[:, 0].min()), float(pts[:, 1].min()), float(pts[:, 0].max()), float(pts[:, 1].max())),
                     str(text), float(score))
                )
        return out


def _find_paddle_models(root: Path) -> tuple[Path, Path]:
    if not root.is_dir():
        raise BackendUnavailable(f"paddle_model_dir {root} is not a folder", code="backend_models_missing")
    dirs = [d for d in sorted(root.iterdir()) if d.is_dir()]

    def pick(tag: str) -> Path:
        for d in dirs:
            if tag in d.name.lower() and any(d.glob("inference.*")):
                return d
        raise BackendUnavailable(
            f"paddle_model_dir {root} holds no '*{tag}*' model folder with inference.* files "
            f"(found: {', '.join(d.name for d in dirs) or 'nothing'}); put e.g. PP-OCRv5_mobile_{tag} there",
            code="backend_models_missing",
        )

    return pick("det"), pick("rec")


def _paddle_make(cls, kw: dict):
    """Build a PaddleOCR object on onnxruntime where this PaddleOCR version allows it."""
    for extra in ({"engine": "onnxruntime"}, {}):
        try:
            return cls(**kw, **extra)
        except TypeError:
            continue
        except Exception as e:
            if extra:
                continue
            raise BackendUnavailable(f"PaddleOCR could not load the local models: {e}", code="backend_load_failed") from None
    raise BackendUnavailable("PaddleOCR rejected the model options", code="backend_load_failed")
