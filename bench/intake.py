"""Intake cost before and after the trained category model, next to a floor.

    .venv/bin/python bench/intake.py [--before COMMIT] [--rounds 7] [--starts 3]

- per report: CPU time of `parse` over every report of the corpus (best of --rounds, each round in a fresh
  process, before and after alternating so both see the same load on a shared machine);
- first report in a process: importing intake, loading the model and parsing one report;
- `maotiao serve` start-up: from spawning the process to its first /healthz answer (sandbox, an upgraded
  SQLite file), and its resident memory then.

"Before" is the tree at --before (default: the commit before core/masking.py was added, i.e. before this
rework), exported with `git archive` and run with this venv. The floor is the least a parser does with the
same text (fold width, one regex, build the result); for start-up, a bare aiohttp server answering /healthz.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

PARSE_CHILD = r"""
import json, sys, time
texts = json.load(open(sys.argv[1], encoding="utf-8"))
t0 = time.perf_counter()
from bot.intake.parse import parse
parse(texts[0])
first = time.perf_counter() - t0
start = time.process_time()
for text in texts:
    parse(text + " ")  # a text parse has not seen (the second round below is the bot's)
per_call = (time.process_time() - start) / len(texts) * 1e6
start = time.process_time()
for text in texts:
    parse(text + "  ")  # the draft card
    parse(text + "  ")  # the confirmation
bot = (time.process_time() - start) / len(texts) * 1e6
print(json.dumps({"per_report_us": per_call, "bot_us": bot, "first_ms": first * 1000}))
"""

FLOOR_CHILD = r"""
import json, re, sys, time
texts = json.load(open(sys.argv[1], encoding="utf-8"))
rx = re.compile(r"工资|邻居|物业|打架|上访")
table = {c: chr(c - 0xFEE0) for c in range(0xFF10, 0xFF1A)}
start = time.process_time()
for text in texts:
    folded = text.translate(table)
    {"category": "other" if rx.search(folded) is None else "x", "text": folded}
us = (time.process_time() - start) / len(texts) * 1e6
print(json.dumps({"per_report_us": us, "bot_us": 2 * us, "first_ms": 0.0}))
"""

HEALTH_FLOOR = r"""
import sys
from aiohttp import web
app = web.Application()
app.router.add_get("/healthz", lambda r: web.json_response({"ok": True}))
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def default_before() -> str:
    added = subprocess.run(["git", "log", "--diff-filter=A", "--format=%H", "--", "core/masking.py"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    if not added:
        raise SystemExit("cannot find the commit that added core/masking.py: give --before COMMIT")
    return added[-1] + "^"


def export(commit: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", commit], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def child(code: str, tree: Path, texts: Path) -> dict[str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    env.pop("MAOTIAO_INTAKE_MODEL", None)
    out = subprocess.run([PY, "-c", code, str(texts)], env=env, cwd=tree, capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_once(cmd: list[str], tree: Path, workdir: Path, port: int) -> tuple[float, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAOTIAO_", "WECOM_", "DINGTALK_"))}
    env.update(PYTHONPATH=str(tree), MAOTIAO_HTTP_PORT=str(port), MAOTIAO_DB_URL=f"sqlite://{workdir / 'b.sqlite3'}")
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=workdir, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = t0 + 120
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return time.perf_counter() - t0, rss_mib(proc.pid)
            except OSError:
                time.sleep(0.02)
        raise SystemExit("no /healthz answer within 120 s")
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--before", help="commit to compare with (default: before core/masking.py existed)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--starts", type=int, default=3)
    args = ap.parse_args()
    before_commit = args.before or default_before()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        before = export(before_commit, base / "before")
        texts = base / "texts.json"
        rows = [json.loads(line)["text"] for p in sorted((ROOT / "bot/intake/corpus").glob("*.jsonl"))
                for line in p.read_text(encoding="utf-8").splitlines() if line.strip()]
        texts.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        runs: dict[str, list[dict[str, float]]] = {"floor": [], "before": [], "after": []}
        for _ in range(args.rounds):
            runs["floor"].append(child(FLOOR_CHILD, ROOT, texts))
            runs["before"].append(child(PARSE_CHILD, before, texts))
            runs["after"].append(child(PARSE_CHILD, ROOT, texts))
        print(f"intake parse over {len(rows)} corpus reports, before = {before_commit}, best of {args.rounds} "
              f"processes (median in brackets)\n")
        print("| | CPU per parse of a new text | per report as the bot parses it (draft card + confirmation) | "
              "first report in a process (import, model, parse) |")
        print("|---|---:|---:|---:|")
        for name, values in runs.items():
            per = [v["per_report_us"] for v in values]
            bot = [v["bot_us"] for v in values]
            first = [v["first_ms"] for v in values]
            print(f"| {name} | {min(per):.1f} µs ({statistics.median(per):.1f}) | {min(bot):.1f} µs "
                  f"({statistics.median(bot):.1f}) | "
                  + (f"{min(first):.0f} ms ({statistics.median(first):.0f}) |" if name != "floor" else "— |"))
        for field, label in (("per_report_us", "per parse"), ("bot_us", "per report in the bot")):
            ratio = min(v[field] for v in runs["after"]) / min(v[field] for v in runs["before"])
            print(f"\nafter / before {label}: ×{ratio:.2f}")
        print()

        starts: dict[str, list[tuple[float, float]]] = {"floor": [], "before": [], "after": []}
        floor_py = base / "floor.py"
        floor_py.write_text(HEALTH_FLOOR)
        for tree_name, tree in (("before", before), ("after", ROOT)):
            work = base / f"work-{tree_name}"
            work.mkdir()
            env = {**os.environ, "PYTHONPATH": str(tree), "MAOTIAO_DB_URL": f"sqlite://{work / 'b.sqlite3'}"}
            subprocess.run([PY, "-m", "maotiao", "db", "upgrade"], env=env, cwd=work, check=True,
                           capture_output=True)
        for _ in range(args.starts):
            port = free_port()
            starts["floor"].append(start_once([PY, str(floor_py), str(port)], ROOT, base, port))
            for tree_name, tree in (("before", before), ("after", ROOT)):
                work = base / f"work-{tree_name}"
                starts[tree_name].append(start_once([PY, "-m", "maotiao", "serve"], tree, work, free_port()))
        print(f"`maotiao serve` start-up to the first /healthz answer, median of {args.starts} (sandbox, SQLite)\n")
        print("| | start-up | resident memory then |")
        print("|---|---:|---:|")
        for name, values in starts.items():
            secs = statistics.median(s for s, _ in values)
            mem = statistics.median(m for _, m in values)
            print(f"| {name} | {secs:.2f} s | {mem:.0f} MiB |")
        s_ratio = statistics.median(s for s, _ in starts["after"]) / statistics.median(s for s, _ in starts["before"])
        print(f"\nafter / before start-up: ×{s_ratio:.2f}")


if __name__ == "__main__":
    main()
