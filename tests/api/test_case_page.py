"""The case page (查看详情 on cards, the detail link of a 钉钉待办): opens only through a link minted for one person
who may still see the case; read-only, self-contained, for a phone; the one place a report's phone numbers are shown in full; a 涉敏 case's
content only for those who handle it; anything else is the same bare 403."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.mirror import snapshot
from bot.outbox import new_card
from core import evidence_links
from core.config import load_settings
from core.enums import Flag
from core.evidence_links import LinkSigner
from core.models import Case, Staff, Task
from core.services import handling
from maotiao.server import build_app
from tests.conftest import staff_id, who
from tests.core.flows import W, dispatched

SECRET = "case-page-secret-for-tests-0123456789abc"
PUBLIC = "https://maotiao.example.gov.cn"
PHONE = "13812345678"


@pytest.fixture
def signer() -> Iterator[LinkSigner]:
    s = LinkSigner(SECRET, PUBLIC, timedelta(hours=72))
    evidence_links.use(s)
    yield s
    evidence_links.reset()


@pytest.fixture
async def client(org, domain, tmp_path: Path) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_app(load_settings(media_dir=str(tmp_path)), domain))) as c:
        yield c


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC and parts.path == "/case"
    return f"{parts.path}?{parts.query}"


async def _refused(client: TestClient, path: str) -> None:
    resp = await client.get(path)
    assert resp.status == 403 and await resp.text() == "链接无效或已过期"


async def _with_phone(case: Case) -> Case:
    await Case.filter(id=case.id).update(content=f"{case.content},当事人电话{PHONE}")
    return await Case.get(id=case.id)


async def test_the_todo_detail_link_opens_a_read_only_phone_page_for_the_assignee(client, domain, signer) -> None:
    case, task = await dispatched(domain)
    case = await _with_phone(case)
    url = (await snapshot(task)).detail_url
    resp = await client.get(_path(url))
    body = await resp.text()
    assert resp.status == 200 and resp.content_type == "text/html"
    assert case.number in body and "两户因过道宽窄发生争执" in body and "赵敏" in body
    assert '<meta name="viewport"' in body
    assert PHONE in body  # in full here, to the one person the page is signed for (cards mask it)
    assert not any(tag in body for tag in ("<script", "src=", "href=", "<form", "<link"))  # no asset, no action
    assert resp.headers["Cache-Control"].startswith("no-store") and resp.headers["Referrer-Policy"] == "no-referrer"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]


async def test_cards_link_the_page_as_chakan_xiangqing_for_their_recipient(org, domain, signer) -> None:
    case, task = await dispatched(domain)
    officer = (await new_card("task", task.assignee_id, domain.clock.now(), case_id=case.id, task_id=task.id)).card
    center = (await new_card("center", await staff_id("林晓"), domain.clock.now(), case_id=case.id)).card
    for card, person in ((officer, task.assignee_id), (center, await staff_id("林晓"))):
        assert card is not None and card.links[0].text == "查看详情"
        claim = signer.verify_page(card.links[0].url.split("token=")[1])
        assert claim is not None and (claim.case_id, claim.staff_id) == (case.id, person)
    cc = (await new_card("cc", await staff_id("唐志刚"), domain.clock.now(), case_id=case.id)).card
    assert cc is not None and cc.links == []  # 抄送 is told of a case, not given its page


async def test_forged_expired_or_evidence_tokens_get_a_bare_403(client, domain, signer) -> None:
    case, task = await dispatched(domain)
    good = signer.page_token(case.id, task.assignee_id)
    c, s, exp, sig = good.split(".")
    for token in (
        f"{c}.{await staff_id('钱伟')}.{exp}.{sig}",  # another person under this one's signature
        f"{c}.{s}.{int(exp) + 86_400}.{sig}",  # a later expiry
        f"{c}.{s}.{exp}.{sig[:-1]}{'A' if sig[-1] != 'A' else 'B'}",
        LinkSigner("another-secret-of-enough-length", PUBLIC, timedelta(hours=72)).page_token(case.id, int(s)),
        signer.page_token(case.id, task.assignee_id, now=datetime.now(UTC) - timedelta(hours=73)),  # expired
        signer.token(1, case.id, task.assignee_id).split(".", 1)[1],  # an evidence token's tail: other key
        "", "1.2.3", f"{good}.0",
    ):
        await _refused(client, f"/case?token={token}")
    assert (await client.get(f"/case?token={good}")).status == 200


async def test_a_person_without_access_or_whose_task_ended_gets_403(client, domain, signer) -> None:
    case, task = await dispatched(domain)
    for name in ("钱伟", "吴大伟"):  # an officer it was not dispatched to; a grid worker who did not report it
        await _refused(client, _path(signer.page_url(case.id, await staff_id(name))))
    link = _path(signer.page_url(case.id, task.assignee_id))
    assert (await client.get(link)).status == 200
    await handling.return_task(domain, await who("赵敏"), task.id, "不属于本所职责", source=W)
    assert (await Task.get(id=task.id)).status == "returned"
    await _refused(client, link)  # checked again on open: given back, no longer theirs to read


async def test_a_sensitive_cases_content_is_shown_only_to_those_who_handle_it(client, domain, signer) -> None:
    case, task = await dispatched(domain)
    await _with_phone(case)
    await Case.filter(id=case.id).update(flags=[Flag.SENSITIVE.value])
    center = await Staff.get(name="林晓")
    auditor = await Staff.create(name="审计员", roles=["admin"], department_id=center.department_id,
                                 region_id=center.region_id)
    handler_page = await (await client.get(_path(signer.page_url(case.id, task.assignee_id)))).text()
    assert "两户因过道宽窄发生争执" in handler_page
    resp = await client.get(_path(signer.page_url(case.id, auditor.id)))
    text = await resp.text()
    assert resp.status == 200 and case.number in text
    assert "两户因过道宽窄发生争执" not in text and "涉敏案件,内容仅限承办人员查看" in text
    assert PHONE in handler_page and "5678" not in text


async def test_the_page_carries_the_three_level_register_with_numbers_masked(client, domain, signer) -> None:
    case, task = await dispatched(domain)
    await Case.filter(id=case.id).update(status="resolved", result_type="agreement", resolved_at=domain.clock.now(),
                                         result_note=f"双方达成协议,联系电话{PHONE}")
    body = await (await client.get(_path(signer.page_url(case.id, await staff_id("林晓"))))).text()
    register = body.split("<h2>三级四步登记</h2>")[1]
    steps = [s.split("</dt>")[0] for s in register.split("<dt>")[1:]]
    assert steps == ["网格调", "村级调", "乡镇调", "区级调"]
    township = register.split("<dt>乡镇调</dt><dd>")[1].split("</dd>")[0]
    assert township.startswith("2026-11-23 09:00,受理:林晓;调处人:赵敏;调处情况:双方达成协议,联系电话138")
    assert PHONE not in register
    assert "<dt>区级调</dt><dd>未经本级</dd>" in register
