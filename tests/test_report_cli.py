"""The document commands as an administrator runs them: `maotiao report register|bulletin|casefile|minutes`
and `maotiao meeting`, in a subprocess against a SQLite file holding one walked case."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timedelta

from docx import Document
from openpyxl import load_workbook

from core.clock import DISPLAY_TZ
from tests.conftest import DEMO_ORG
from tests.documents.render import need_libreoffice
from tests.test_cli import env, run  # noqa: F401  the fixture

SEED = """
import asyncio
from core import db
from core.clock import ManualClock
from core.org_import import import_org
from core.services.base import Domain
from core.workdays import WorkCalendar
from tests.conftest import cst
from tests.documents.story import walked_case

async def main():
    url = 'sqlite://{db}'
    await db.upgrade(url)
    await db.init_db(url)
    await import_org(open('{org}', encoding='utf-8').read())
    clock = ManualClock(cst(2026, 11, 23, 9, 0))
    await walked_case(Domain(clock=clock, calendar=WorkCalendar()), clock)
    await db.close_db()

asyncio.run(main())
"""


def _seed(env: dict[str, str], tmp_path) -> None:  # noqa: F811
    path = env["MAOTIAO_DB_URL"].removeprefix("sqlite://")
    subprocess.run([sys.executable, "-c", SEED.format(db=path, org=DEMO_ORG)], env=env, cwd=tmp_path, check=True,
                   timeout=120)


def test_register_for_a_period_and_for_a_case(env, tmp_path) -> None:  # noqa: F811
    _seed(env, tmp_path)
    docx, xlsx = tmp_path / "reg.docx", tmp_path / "reg.xlsx"
    out = run(["report", "register", "--from", "2026-11-01", "--to", "2026-11-30", "--docx", str(docx),
               "--xlsx", str(xlsx)], env)
    assert out.returncode == 0, out.stderr
    assert "1 件" in out.stdout
    text = "\n".join(c.text for t in Document(str(docx)).tables for r in t.rows for c in r.cells)
    assert "张*、李*" in text and "张三" not in text  # the center's copy follows the privacy setting
    assert load_workbook(xlsx)["三级四步登记"]["G2"].value == "网格调"
    one = tmp_path / "one.docx"
    assert run(["report", "register", "--case", "2026-0001", "--docx", str(one)], env).returncode == 0
    assert "张三、李四" in "\n".join(c.text for t in Document(str(one)).tables for r in t.rows for c in r.cells)
    bad = run(["report", "register", "--from", "2026-11-30", "--to", "2026-11-01"], env)
    assert bad.returncode != 0 and "--to is before --from" in bad.stderr


def test_bulletin_casefile_and_minutes(env, tmp_path) -> None:  # noqa: F811
    _seed(env, tmp_path)
    bulletin = tmp_path / "b.docx"
    out = run(["report", "bulletin", "--period", "monthly", "--date", "2026-11-15", "--docx", str(bulletin)], env)
    assert out.returncode == 0, out.stderr
    assert "考核通报" in out.stdout and "张三" not in out.stdout and "1减2降1升" in out.stdout
    assert any("考核情况的通报" in p.text for p in Document(str(bulletin)).paragraphs)
    case = tmp_path / "c.docx"
    # Full case numbers here: a short "0001" means the current year's case, and the seeded case is 2026's
    # whatever year the suite runs in (tests/core/test_numbering.py covers the short form).
    out = run(["report", "casefile", "2026-0001", "--docx", str(case)], env)
    assert out.returncode == 0 and "1 份协议" in out.stdout, out.stderr
    assert run(["report", "casefile", "2026-0999"], env).stderr.strip().endswith("no case 2026-0999")
    opened = run(["meeting", "open", "--kind", "weekly", "--date", "2026-11-30", "--chair", "韩卫国", "--place", "会商室",
                  "--attend", "唐志刚,赵敏"], env)
    assert opened.returncode == 0 and opened.stdout.startswith("meeting 1:"), opened.stderr
    # The CLI acts on today's date: the deadline must be ahead of the real clock, whenever the suite runs.
    deadline = (datetime.now(DISPLAY_TZ) + timedelta(days=5)).strftime("%Y-%m-%d")
    item = run(["meeting", "item", "1", "督促李四家加装接水槽", "--owner", "赵敏", "--deadline", deadline,
                "--case", "2026-0001"], env)
    assert item.returncode == 0, item.stderr
    assert "督促李四家加装接水槽" in run(["meeting", "list"], env).stdout
    assert run(["meeting", "item", "1", "x", "--owner", "无此人", "--deadline", deadline], env).returncode != 0
    minutes = tmp_path / "m.docx"
    assert run(["report", "minutes", "1", "--docx", str(minutes)], env).returncode == 0
    assert any("责任人:赵敏" in p.text for p in Document(str(minutes)).paragraphs)


def test_casefile_as_pdf(env, tmp_path) -> None:  # noqa: F811
    need_libreoffice()
    _seed(env, tmp_path)
    pdf = tmp_path / "c.pdf"
    out = run(["report", "casefile", "2026-0001", "--pdf", str(pdf)], env, timeout=240)
    assert out.returncode == 0, out.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"


def test_spreadsheets_for_outside_the_center_name_no_party_and_withhold_sensitive_content(env, tmp_path) -> None:  # noqa: F811
    import sqlite3

    _seed(env, tmp_path)
    with sqlite3.connect(env["MAOTIAO_DB_URL"].removeprefix("sqlite://")) as db:
        db.execute("""UPDATE "case" SET flags = '["sensitive"]'""")
    ledger, reg = tmp_path / "ledger.xlsx", tmp_path / "reg.xlsx"
    out = run(["report", "monthly", "--date", "2026-11-23", "--xlsx", str(ledger), "--outside"], env)
    assert out.returncode == 0 and "ledger for outside the center written" in out.stderr, out.stderr
    out = run(["report", "register", "--from", "2026-11-01", "--to", "2026-11-30", "--xlsx", str(reg), "--outside"],
              env)
    assert out.returncode == 0, out.stderr
    for path, sheet, column in ((ledger, "台账", 5), (ledger, "交办明细", 13), (reg, "三级四步登记", 5)):
        wb = load_workbook(path)
        cells = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v]
        assert not [c for c in cells if "张" in c or "李四" in c or "院墙滴水" in c], path
        rows = list(wb[sheet].iter_rows(min_row=2, values_only=True))
        assert rows and all(r[0] == "2026-0001" and r[column] == "涉敏,内容不外传" for r in rows), (sheet, rows)
    inside = tmp_path / "inside.xlsx"
    assert run(["report", "monthly", "--date", "2026-11-23", "--xlsx", str(inside)], env).returncode == 0
    assert "院墙滴水" in str(load_workbook(inside)["台账"]["F2"].value)  # without --outside: the center's copy
    refused = run(["report", "register", "--docx", str(tmp_path / "r.docx"), "--xlsx", str(reg), "--outside"], env)
    assert refused.returncode != 0 and "without --docx/--pdf" in refused.stderr
    assert run(["report", "monthly", "--outside"], env).returncode != 0
