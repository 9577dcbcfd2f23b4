"""Small bad or off-topic files the tests make on the fly (nothing binary is committed)."""

from __future__ import annotations

from pathlib import Path


def make_letter_pdf(path: Path) -> Path:
    """A one-page letter with a text layer and no tables."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 12)
    for i, line in enumerate(["关于召开工作会议的通知", "各单位：", "定于下周一上午九时在三楼会议室召开全体会议，请准时参加。", "特此通知。"]):
        c.drawString(72, 760 - 24 * i, line)
    c.save()
    return path


def make_encrypted_pdf(path: Path) -> Path:
    from reportlab.lib import pdfencrypt
    from reportlab.pdfgen import canvas

    enc = pdfencrypt.StandardEncryption("user-secret", ownerPassword="owner-secret", strength=128)
    c = canvas.Canvas(str(path), encrypt=enc)
    c.drawString(72, 720, "secret report")
    c.save()
    return path


def make_png(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 32), "white").save(path, format="PNG")
    return path
