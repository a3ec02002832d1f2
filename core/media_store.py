"""The media store: evidence files on the filesystem (MAOTIAO_MEDIA_DIR, default ./media), content-addressed
so a file fetched twice is kept once, written atomically so a crash leaves no half file behind."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import tempfile
from pathlib import Path

_EXT = {"audio/amr": ".amr", "image/jpeg": ".jpg", "image/png": ".png", "video/mp4": ".mp4"}


class MediaStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def save(self, data: bytes, mime: str, name: str = "") -> tuple[str, str]:
        """Keep the bytes; returns (path inside the store, sha256)."""
        digest = hashlib.sha256(data).hexdigest()
        ext = _EXT.get(mime) or mimetypes.guess_extension(mime) or Path(name).suffix or ".bin"
        relative = f"{digest[:2]}/{digest}{ext}"
        target = self.root / relative
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".part-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        return relative, digest

    def read(self, relative: str) -> bytes:
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError("path outside the media store")
        return path.read_bytes()
