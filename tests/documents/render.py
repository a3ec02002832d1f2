"""Looking at a generated document the way a person would: .docx → PDF (LibreOffice) → PNG pages saved
under test-artifacts/, with the fonts the PDF embeds and the text it carries."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.documents import pdf
from tests.conftest import IN_CI

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CJK_FACES = ("NotoSerifCJK", "NotoSansCJK", "SimHei", "SourceHan")


def need_libreoffice() -> None:
    """LibreOffice is optional by hand; .ci/run installs it, so under CI its absence is a failure."""
    if pdf.available():
        return
    reason = "LibreOffice is not installed (apt-get install libreoffice-writer)"
    if IN_CI:
        pytest.fail(reason + " (required under CI)")
    pytest.skip(reason)


@dataclass
class Rendered:
    pdf: bytes
    text: str
    fonts: list[str]
    pages: int
    images: list[Path]


def embedded_fonts(data: bytes) -> list[str]:
    return sorted({m.decode() for m in re.findall(rb"/FontName\s*/([A-Za-z0-9+_-]+)", data)})


async def render(docx: bytes, name: str, *, pages: int = 2) -> Rendered:
    """Convert, save the PDF and its first `pages` pages as PNG under test-artifacts/<name>-N.png."""
    import pypdfium2

    need_libreoffice()
    data = await pdf.to_pdf(docx)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(data)
    doc = pypdfium2.PdfDocument(data)
    text = "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    images = []
    for i in range(min(pages, len(doc))):
        path = ARTIFACTS / f"{name}-{i + 1}.png"
        doc[i].render(scale=1.4).to_pil().save(path)
        images.append(path)
    count = len(doc)
    doc.close()
    return Rendered(data, text, embedded_fonts(data), count, images)


def assert_chinese_renders(r: Rendered, *needles: str) -> None:
    """Every font the PDF draws with is a CJK face (no fallback that would print boxes), and the Chinese
    text is there to be read back."""
    assert r.fonts, "the PDF embeds no fonts"
    strange = [f for f in r.fonts if not any(face in f for face in CJK_FACES)]
    assert not strange, f"fonts that cannot draw Chinese: {strange}"
    flat = re.sub(r"\s+", "", r.text)
    missing = [n for n in needles if re.sub(r"\s+", "", n) not in flat]
    assert not missing, f"not in the PDF text: {missing}"
    assert all(os.path.getsize(p) > 5000 for p in r.images)
