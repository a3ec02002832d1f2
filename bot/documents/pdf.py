""".docx → .pdf with LibreOffice (`soffice --headless --convert-to pdf`), with Chinese fonts that are always
there: the Noto CJK and SimHei faces bundled with mplfonts are added through a private fontconfig file,
and the names our documents ask for (仿宋, 宋体, 黑体, SimSun …) are mapped onto them. So a server without
any Chinese font still prints Chinese, not empty boxes.

Each conversion runs in its own LibreOffice profile (two at once with one profile would clash), one at a
time per process (it takes a core for a second or two), and is killed after `limit_seconds`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import weakref
from pathlib import Path

from core.fonts import font_dir

SERIF = "Noto Serif CJK SC"
SANS = "SimHei"
ALIASES = {"仿宋": SERIF, "仿宋_GB2312": SERIF, "FangSong": SERIF, "宋体": SERIF, "SimSun": SERIF,
           "黑体": SANS, "方正小标宋简体": SANS, "楷体": SERIF, "KaiTi": SERIF}
_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()


class PdfUnavailable(RuntimeError):
    """LibreOffice is not installed (Debian: apt-get install libreoffice-writer)."""


def _lock() -> asyncio.Lock:
    """One conversion at a time on this event loop (a lock belongs to the loop it was first awaited on)."""
    loop = asyncio.get_running_loop()
    if loop not in _locks:
        _locks[loop] = asyncio.Lock()
    return _locks[loop]


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def available() -> bool:
    return soffice() is not None


def fontconfig(cache_dir: str) -> str:
    aliases = "".join(f'<alias binding="same"><family>{name}</family><prefer><family>{face}</family></prefer></alias>'
                      for name, face in ALIASES.items())
    return ('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
            '<include ignore_missing="yes">/etc/fonts/fonts.conf</include>'
            f"<dir>{font_dir()}</dir>{aliases}<cachedir>{cache_dir}</cachedir></fontconfig>")


def _convert(work: Path, binary: str) -> list[str]:
    return [binary, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
            "--nolockcheck", "--convert-to", "pdf", "--outdir", str(work), str(work / "doc.docx")]


async def to_pdf(docx: bytes, *, limit_seconds: float = 180) -> bytes:
    binary = soffice()
    if binary is None:
        raise PdfUnavailable("LibreOffice 未安装,无法生成 PDF(apt-get install libreoffice-writer)")
    async with _lock():
        with tempfile.TemporaryDirectory(prefix="maotiao-pdf-") as tmp:
            work = Path(tmp)
            (work / "doc.docx").write_bytes(docx)
            (work / "fonts.conf").write_text(fontconfig(str(work / "fc-cache")), encoding="utf-8")
            env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "LANG": "zh_CN.UTF-8",
                   "FONTCONFIG_FILE": str(work / "fonts.conf")}
            proc = await asyncio.create_subprocess_exec(*_convert(work, binary), env=env, stdout=asyncio.subprocess.PIPE,
                                                        stderr=asyncio.subprocess.STDOUT)
            try:
                output, _ = await asyncio.wait_for(proc.communicate(), limit_seconds)
            except TimeoutError:
                proc.kill()
                await proc.wait()
                raise RuntimeError(f"LibreOffice did not finish within {limit_seconds:.0f} s") from None
            pdf = work / "doc.pdf"
            if proc.returncode != 0 or not pdf.exists():
                raise RuntimeError(f"LibreOffice failed ({proc.returncode}): {output.decode(errors='replace')[-500:]}")
            return pdf.read_bytes()
