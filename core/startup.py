"""What serve and worker both do once they have started: settle the heap."""

from __future__ import annotations

import gc


def settle_heap() -> None:
    """Once start-up is done: collect its garbage, then take everything left (modules, the intake model, the
    calendar — ~130,000 objects) out of the garbage collector's sight. Python's full collection walks every
    object the process holds: 25–45 ms each here, a stall of every ACK on the loop whenever one fell in a
    burst. What start-up left is never garbage, so nothing is lost by not walking it (gc.freeze)."""
    gc.collect()
    gc.freeze()
