"""Signed checkpoints of the audit chains, kept outside the database they protect.

Whoever can write the database can delete the last events of a chain and roll its head row back, delete
every event and head, or rewrite a chain and hash it again from the first changed event on: the database
alone then looks intact. So `serve` periodically appends a checkpoint line to a file (an append-only
file, ideally on another volume or host): for each chain that moved, its head (seq, hash), HMAC-SHA256
signed with a key that is not in the database (MAOTIAO_AUDIT_KEY or MAOTIAO_AUDIT_KEY_FILE), each line
chained to the one before by its MAC. A line that lists every chain ("full") is written when the file is
new and then daily, so a rotated file stands on its own. `verify` folds the file into the latest
checkpointed head of every chain and checks the database against it: truncation, rollback and a
rewritten-and-rehashed chain all show up, as far back as the last checkpoint.

The writer only ever extends a chain it has verified from the previous checkpoint to the new head: a
chain that went backwards or broke since is not checkpointed again (and is logged), so a rollback is never
blessed by a later checkpoint.

Lines: {"v":1,"n":12,"at":"…","kid":"<key id>","prev":"<mac of #11>","full":false,
        "heads":{"0":[17,"<hash>"],"5":[220,"<hash>"]},"mac":"<hmac>"}
"""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import hmac
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from core import audit
from core.config import ConfigError, Settings
from core.models import AuditChainHead

log = logging.getLogger(__name__)
VERSION = 1
FULL_EVERY = timedelta(hours=24)
MIN_KEY = 32


def load_key(settings: Settings) -> bytes | None:
    """The checkpoint key from MAOTIAO_AUDIT_KEY or the file MAOTIAO_AUDIT_KEY_FILE names; None if neither."""
    if settings.audit_key and settings.audit_key_file:
        raise ConfigError("set MAOTIAO_AUDIT_KEY or MAOTIAO_AUDIT_KEY_FILE, not both")
    if settings.audit_key_file:
        try:
            text = Path(settings.audit_key_file).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"MAOTIAO_AUDIT_KEY_FILE: cannot read {settings.audit_key_file}: {exc}") from None
        where = "MAOTIAO_AUDIT_KEY_FILE"
    else:
        text, where = settings.audit_key.strip(), "MAOTIAO_AUDIT_KEY"
    if not text:
        return None
    if len(text) < MIN_KEY:
        raise ConfigError(f"{where}: the audit key has {len(text)} characters, use at least {MIN_KEY} "
                          "(python3 -c 'import secrets; print(secrets.token_hex(32))')")
    return text.encode("utf-8")


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"maotiao-audit-key-id:" + key).hexdigest()[:8]


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass
class Folded:
    """What a checkpoint file says: the latest checkpointed head of each chain, and what is wrong with it."""

    heads: dict[int, tuple[int, str]] = field(default_factory=dict)
    n: int = 0
    last_mac: str = ""
    last_at: str = ""
    last_full_at: datetime | None = None
    lines: int = 0
    problems: list[str] = field(default_factory=list)


class CheckpointLog:
    def __init__(self, path: str | Path, key: bytes) -> None:
        self.path = Path(path)
        self.key = key
        self.kid = key_id(key)
        self._folded = Folded()
        self._offset = 0

    def mac(self, body: dict[str, Any]) -> str:
        unsigned = {k: v for k, v in body.items() if k != "mac"}
        return hmac.new(self.key, _canonical(unsigned), hashlib.sha256).hexdigest()

    # --- reading ---------------------------------------------------------------------------------
    def _line(self, folded: Folded, number: int, raw: bytes) -> None:
        try:
            body = json.loads(raw)
            n, mac, heads = int(body["n"]), str(body["mac"]), body["heads"]
            parsed = {int(c): (int(v[0]), str(v[1])) for c, v in heads.items()}
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            folded.problems.append(f"line {number} is not a checkpoint (torn, altered or forged)")
            return
        if body.get("kid") != self.kid:
            folded.problems.append(f"checkpoint #{n} (line {number}) was signed with another key "
                                   f"(key id {body.get('kid')}, the configured key is {self.kid})")
            return
        if not hmac.compare_digest(self.mac(body), mac):
            folded.problems.append(f"checkpoint #{n} (line {number}) fails its signature: altered or forged")
            return
        if folded.lines and (n != folded.n + 1 or body.get("prev") != folded.last_mac):
            folded.problems.append(f"checkpoint #{n} (line {number}) does not follow #{folded.n}: checkpoints "
                                   "between them were removed, or lines reordered")
        folded.heads.update(parsed)
        folded.n, folded.last_mac, folded.last_at, folded.lines = n, mac, str(body.get("at", "")), folded.lines + 1
        if body.get("full"):
            folded.last_full_at = datetime.fromisoformat(folded.last_at)

    def _fold(self, folded: Folded, data: bytes, first_line: int) -> int:
        """Fold complete lines; returns the bytes consumed (a torn tail is left for the next read)."""
        used = 0
        for i, raw in enumerate(data.split(b"\n")[:-1]):
            used += len(raw) + 1
            if raw.strip():
                self._line(folded, first_line + i, raw)
        return used

    def read(self) -> Folded:
        """The whole file, every line checked. Missing file: no lines (the caller decides what that means)."""
        folded = Folded()
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return folded
        used = self._fold(folded, data, 1)
        if used < len(data) and data[used:].strip():
            folded.problems.append("the last line is incomplete (torn write, or altered)")
        return folded

    # --- writing ---------------------------------------------------------------------------------
    def _open_locked(self) -> int:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o640)
        fcntl.flock(fd, fcntl.LOCK_EX)  # several serve processes on one host share the file
        return fd

    def _catch_up(self, fd: int) -> Folded:
        """Fold the lines other processes appended since our last read (all of them the first time)."""
        size = os.fstat(fd).st_size
        if size < self._offset:  # truncated or replaced: start over
            log.warning("audit checkpoint file %s shrank; reading it again from the start", self.path)
            self._folded, self._offset = Folded(), 0
        if size > self._offset:
            data = os.pread(fd, size - self._offset, self._offset)
            self._offset += self._fold(self._folded, data, self._folded.lines + 1)
        return self._folded

    async def _moved(self, folded: Folded) -> dict[int, tuple[int, str]]:
        moved: dict[int, tuple[int, str]] = {}
        for head in await AuditChainHead.all().order_by("chain"):
            now_at, before = (head.seq, head.hash or audit.GENESIS), folded.heads.get(head.chain)
            if now_at == before or (before is None and head.seq == 0):
                continue
            if before is not None and head.seq < before[0]:
                why = f"its head went back from #{before[0]} to #{head.seq}"
            else:
                why = await audit.segment_intact(head.chain, before or (0, audit.GENESIS), now_at)
            if why:
                log.error("audit chain %s is not checkpointed again: %s (truncated, rolled back or rewritten "
                          "since checkpoint #%s; run `maotiao audit verify`)", head.chain, why, folded.n)
                continue
            moved[head.chain] = now_at
        return moved

    async def write(self, now: datetime) -> dict[str, Any] | None:
        """Append a checkpoint of the chains that moved (all of them when one is due in full); None when
        nothing moved."""
        fd = await asyncio.to_thread(self._open_locked)
        try:
            folded = await asyncio.to_thread(self._catch_up, fd)
            moved = await self._moved(folded)
            full = folded.lines == 0 or folded.last_full_at is None or now - folded.last_full_at >= FULL_EVERY
            if not moved and not full:
                return None
            heads = {**folded.heads, **moved} if full else moved
            body: dict[str, Any] = {"v": VERSION, "n": folded.n + 1, "at": now.isoformat(), "kid": self.kid,
                                    "prev": folded.last_mac, "full": full,
                                    "heads": {str(c): [s, h] for c, (s, h) in sorted(heads.items())}}
            body["mac"] = self.mac(body)
            line = _canonical(body) + b"\n"
            await asyncio.to_thread(_append, fd, line)
            self._offset += self._fold(self._folded, line, self._folded.lines + 1)
            return body
        finally:
            await asyncio.to_thread(_release, fd)


def _append(fd: int, line: bytes) -> None:
    os.write(fd, line)
    os.fsync(fd)


def _release(fd: int) -> None:
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class Anchored:
    """`maotiao audit verify`: the chains against their head rows and the latest checkpoints."""

    result: audit.VerifyResult
    checkpoint: Folded | None  # None: no key, checkpoints not checked
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


async def verify(settings: Settings) -> Anchored:
    key = load_key(settings)
    if key is None:
        result = await audit.verify()
        return Anchored(result, None, result.problems)
    log_file = CheckpointLog(settings.audit_checkpoint_file, key)
    folded = await asyncio.to_thread(log_file.read)
    result = await audit.verify(folded.heads)
    problems = list(folded.problems)
    if folded.lines == 0:
        problems.append(f"no checkpoint in {settings.audit_checkpoint_file}: serve writes one at start and every "
                        f"{settings.audit_checkpoint_seconds} s, so it was removed or this is the wrong file")
    return Anchored(result, folded, tuple(problems) + result.problems)
