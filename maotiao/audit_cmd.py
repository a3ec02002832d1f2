"""`maotiao audit verify` and `maotiao audit checkpoint`.

verify walks every audit chain (one per center, and chain 0 for what belongs to no case) and says what is
wrong with it; with the audit key it also checks the checkpoint file and the chains against it.
It detects:
  - an event altered, removed or inserted inside a chain (hashes and links);
  - events removed from the end of a chain, while its head row still shows them;
  - with checkpoints, whatever the database alone cannot show: the newest events removed with the head row
    rolled back, every event and head deleted, a chain rewritten and hashed again, a database restored
    from a backup older than the latest checkpoint; and a checkpoint line removed, altered, forged or signed
    with another key.
It cannot detect:
  - anything done to events newer than the latest checkpoint, when the head rows are made to match
    (checkpoints come every MAOTIAO_AUDIT_CHECKPOINT_SECONDS; that is the window);
  - the checkpoint file's newest lines removed together with the database's newest events (compare with
    the daily 审计校验点 posted to the groups that receive `audit`, or keep the file on another host);
  - someone holding both the audit key and write access to the file and the database;
  - changes to cases or tasks made directly in the database without an audit event (the trail records what
    the program did; it is not a copy of every table).
Exit status: 0 intact, 1 broken, 2 not checkable (a production database and no audit key).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from core import audit_checkpoint
from core.audit_checkpoint import CheckpointLog, load_key
from core.config import Settings
from maotiao.mode import PRODUCTION, read_mark


async def verify(settings: Settings) -> int:
    key = load_key(settings)
    mark = await read_mark()
    if key is None and mark is not None and mark.mode == PRODUCTION:
        print("cannot verify a production database without MAOTIAO_AUDIT_KEY (or MAOTIAO_AUDIT_KEY_FILE): its "
              "checkpoints are what prove nothing was removed", file=sys.stderr)
        return 2
    report = await audit_checkpoint.verify(settings)
    r = report.result
    for note in r.notes:
        print(f"note: {note}")
    if not report.ok:
        print(f"audit trail BROKEN ({len(report.problems)} problem(s)):", file=sys.stderr)
        for problem in report.problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"audit trail intact: {r.checked} event(s) in {r.chains} chain(s)")
    cp = report.checkpoint
    if cp is None:
        print("not anchored: no MAOTIAO_AUDIT_KEY, so the newest events removed together with their head rows, "
              "or a chain rewritten and hashed again, would not show")
    else:
        print(f"anchored: {cp.lines} checkpoint(s) in {settings.audit_checkpoint_file}, the latest #{cp.n} of "
              f"{cp.last_at}, code {cp.last_mac[:16]} (compare with the latest 审计校验点 in the admins' group)")
    return 0


async def checkpoint(settings: Settings) -> int:
    key = load_key(settings)
    if key is None:
        print("MAOTIAO_AUDIT_KEY (or MAOTIAO_AUDIT_KEY_FILE) is not set", file=sys.stderr)
        return 2
    line = await CheckpointLog(settings.audit_checkpoint_file, key).write(datetime.now(UTC))
    if line is None:
        print("nothing moved since the latest checkpoint")
    else:
        print(f"checkpoint #{line['n']} written to {settings.audit_checkpoint_file}: {len(line['heads'])} chain(s), "
              f"code {line['mac'][:16]}")
    return 0
