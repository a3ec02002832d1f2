"""A stopped `maotiao worker` always ends: past the grace and the closing deadline, the process exits by itself."""

from __future__ import annotations

import subprocess
import sys
import time

from scheduler.worker import STOP_DEADLINE, STOP_GRACE, WorkerSettings


def test_a_hung_close_still_ends_the_process_with_success() -> None:
    code = "from scheduler.worker import exit_after; import time; exit_after(0.5); time.sleep(60)"
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=30)
    assert done.returncode == 0
    assert time.monotonic() - started < 30
    assert b"did not finish closing" in done.stderr


def test_jobs_in_flight_get_a_bounded_grace_after_sigterm() -> None:
    assert WorkerSettings.job_completion_wait == STOP_GRACE
    assert 0 < STOP_GRACE + STOP_DEADLINE < 90  # inside systemd's default TimeoutStopSec before its SIGKILL
