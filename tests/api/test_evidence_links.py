"""Evidence files open only through a link minted for one person who may see the case: genuine, unexpired,
for that file of that case, and that person still allowed; anything else is the same bare 403. Cards list
the evidence, with links only when a public URL is configured; no group message ever carries a link."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.cards import render
from bot.notify import notifications
from bot.outbox import enqueue, new_card, without_links
from bot.types import Card, CardUrl, Outbound, Target
from core import evidence_links
from core.config import ConfigError, load_settings
from core.enums import Severity
from core.evidence_links import LinkSigner
from core.media_store import MediaStore
from core.models import CardLink, Case, MediaFile, OutboxMessage, Staff
from core.services import intake
from integrations.dingtalk import cards as dingtalk_cards
from integrations.wecom import cards as wecom_cards
from maotiao import evidence
from maotiao.server import build_app
from tests.conftest import staff_id, who
from tests.core.flows import W, dispatched, reported

SECRET = "evidence-link-secret-for-tests-0123456789"
PUBLIC = "https://maotiao.example.gov.cn"
PHOTO = b"\xff\xd8\xff\xe0 a photo of the wall" + bytes(range(256))


@pytest.fixture
def signer() -> Iterator[LinkSigner]:
    s = LinkSigner(SECRET, PUBLIC, timedelta(hours=72))
    evidence_links.use(s)
    yield s
    evidence_links.reset()


@pytest.fixture
def no_public_url() -> Iterator[None]:
    evidence_links.use(None)
    yield None
    evidence_links.reset()


async def _kept(case: Case, store: MediaStore, data: bytes = PHOTO, kind: str = "image") -> MediaFile:
    path, digest = store.save(data, "image/jpeg", "p.jpg")
    now = datetime.now(UTC)
    return await MediaFile.create(platform="wecom", kind=kind, ref=f"m-{digest[:8]}", staff_id=case.reporter_id,
                                  case_id=case.id, status="stored", next_attempt_at=now, received_at=now,
                                  stored_at=now, path=path, mime="image/jpeg", size=len(data), sha256=digest)


async def _expired(case: Case) -> MediaFile:
    now = datetime.now(UTC)
    return await MediaFile.create(platform="wecom", kind="voice", ref="m-gone", staff_id=case.reporter_id,
                                  case_id=case.id, status="failed", next_attempt_at=now, received_at=now)


@pytest.fixture
async def client(org, domain, tmp_path: Path) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_app(load_settings(media_dir=str(tmp_path)), domain))) as c:
        yield c


def _path(url: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    return f"{parts.path}?{parts.query}"


async def _refused(client: TestClient, path: str) -> None:
    resp = await client.get(path)
    body = await resp.read()
    assert resp.status == 403 and body == "链接无效或已过期".encode()
    assert PHOTO not in body


async def test_a_staff_member_with_access_opens_the_kept_file_through_their_link(client, domain, signer,
                                                                                 tmp_path) -> None:
    case = await reported(domain)
    media = await _kept(case, MediaStore(tmp_path))
    resp = await client.get(_path(signer.url(media.id, case.id, await staff_id("林晓"))))
    assert resp.status == 200 and await resp.read() == PHOTO
    assert resp.headers["Content-Type"] == "image/jpeg"
    assert resp.headers["Cache-Control"].startswith("no-store")
    assert resp.headers["X-Content-Type-Options"] == "nosniff" and resp.headers["Referrer-Policy"] == "no-referrer"
    assert "p.jpg" not in resp.headers["Content-Disposition"]  # the sender's file name is not repeated


async def test_forged_altered_expired_or_other_case_tokens_get_a_bare_403(client, domain, signer, tmp_path) -> None:
    case = await reported(domain)
    other = await reported(domain)
    media = await _kept(case, MediaStore(tmp_path))
    lin, zhao = await staff_id("林晓"), await staff_id("赵敏")
    good = signer.token(media.id, case.id, lin)
    m, c, s, exp, sig = good.split(".")
    for token in (
        f"{m}.{c}.{zhao}.{exp}.{sig}",  # another person's id under this person's signature
        f"{m}.{c}.{s}.{int(exp) + 86_400}.{sig}",  # a later expiry
        f"{m}.{c}.{s}.{exp}.{sig[:-1]}{'A' if sig[-1] != 'A' else 'B'}",  # a forged signature
        LinkSigner("another-secret-of-enough-length", PUBLIC, timedelta(hours=72)).token(media.id, case.id, lin),
        signer.token(media.id, case.id, lin, now=datetime.now(UTC) - timedelta(hours=73)),  # expired
        signer.token(media.id, other.id, lin),  # genuine, but this file is not of that case
        "", "../../etc/passwd", f"{good}.0",
    ):
        await _refused(client, f"/evidence?token={token}")
    await _refused(client, "/evidence")
    assert (await client.get(f"/evidence?token={good}")).status == 200


async def test_a_genuine_link_of_someone_who_may_not_see_the_case_gets_403(client, domain, signer, tmp_path) -> None:
    case = await reported(domain)
    media = await _kept(case, MediaStore(tmp_path))
    for name in ("赵敏", "吴大伟"):  # an officer without a task on it, another village's grid worker
        await _refused(client, _path(signer.url(media.id, case.id, await staff_id(name))))
    expired = await _expired(case)
    await _refused(client, _path(signer.url(expired.id, case.id, await staff_id("林晓"))))  # nothing kept


async def test_with_links_off_every_token_is_refused(client, domain, no_public_url, tmp_path) -> None:
    case = await reported(domain)
    media = await _kept(case, MediaStore(tmp_path))
    token = LinkSigner(SECRET, PUBLIC, timedelta(hours=1)).token(media.id, case.id, await staff_id("林晓"))
    await _refused(client, f"/evidence?token={token}")


async def test_cards_list_the_evidence_with_links_for_their_recipient_only(org, domain, signer, tmp_path) -> None:
    case, task = await dispatched(domain)
    store = MediaStore(tmp_path)
    kept = await _kept(case, store)
    await _expired(case)
    center = (await new_card("center", await staff_id("林晓"), domain.clock.now(), case_id=case.id)).card
    assert center is not None and center.links[0].label == "详情"  # 查看详情 first (tests/api/test_case_page.py)
    evidence = center.links[1:]
    assert [(u.label, u.text.split()[0], u.text.split()[-1]) for u in evidence] == [("证据1", "照片", "已保存")]
    expired = dict(center.fields)["证据2"]
    assert expired.startswith("语音") and expired.endswith("已过期未能保存")
    claim = signer.verify(parse_qs(urlsplit(evidence[0].url).query)["token"][0])
    assert claim is not None and (claim.media_id, claim.case_id, claim.staff_id) == (kept.id, case.id,
                                                                                     await staff_id("林晓"))
    officer = (await new_card("task", task.assignee_id, domain.clock.now(), case_id=case.id, task_id=task.id)).card
    assert officer is not None and len(officer.links) == 2
    assert signer.verify(parse_qs(urlsplit(officer.links[1].url).query)["token"][0]).staff_id == task.assignee_id  # type: ignore[union-attr]
    cc = (await new_card("cc", await staff_id("唐志刚"), domain.clock.now(), case_id=case.id)).card
    assert cc is not None and cc.links == []
    body = wecom_cards.template_card(center, "t1")
    assert {"type": 1, "keyname": "证据1", "value": evidence[0].text, "url": evidence[0].url} in \
        body["horizontal_content_list"] and len(body["horizontal_content_list"]) <= 6
    assert evidence[0].url in dingtalk_cards.card_params(center)["fields"]


async def test_without_a_public_url_cards_list_the_evidence_without_links(org, domain, no_public_url,
                                                                           tmp_path) -> None:
    case = await reported(domain)
    for _ in range(5):
        await _kept(case, MediaStore(tmp_path))
    link = await new_card("center", await staff_id("林晓"), domain.clock.now(), case_id=case.id)
    card = link.card
    assert card is not None and card.links == []
    shown = dict(card.fields)
    assert shown["证据1"].startswith("照片") and shown["证据1"].endswith("已保存") and "证据4" not in shown
    assert shown["证据"] == "等 5 项"
    assert "evidence" not in card.model_dump_json()


async def test_links_follow_access_when_the_card_is_rendered_again(org, domain, signer, tmp_path) -> None:
    case = await reported(domain)
    await _kept(case, MediaStore(tmp_path))
    out = await new_card("center", await staff_id("林晓"), domain.clock.now(), case_id=case.id)
    link = await CardLink.get(id=out.card_link_id)
    assert len((await render(link)).links) == 2  # 查看详情 and the file
    await Staff.filter(id=link.staff_id).update(active=False)  # left the center: the card keeps no link
    assert (await render(link)).links == []


async def test_a_group_message_never_carries_a_link(org, domain, signer, tmp_path) -> None:
    data = intake.ReportInput("两户因过道宽窄发生争执,数十人聚集", severity=Severity.MAJOR)
    outcome = await intake.report(domain, await who("周小梅"), data, source=W)
    assert outcome.case is not None
    await _kept(outcome.case, MediaStore(tmp_path))
    out = await notifications(outcome.events, domain.clock.now(), set())
    assert any(o.card is not None and o.card.links for o in out)  # the dispatchers' cards link it
    groups = [o for o in out if o.target.kind == "group"]
    assert groups, "a 重大 case warns the groups"
    rows = await enqueue(out, domain.clock.now())
    assert any(row.payload["target"]["kind"] == "group" for row in rows)  # type: ignore[index]
    for row in rows:
        if row.payload["target"]["kind"] == "group":  # type: ignore[index]
            assert "/evidence?token=" not in str(row.payload)
    forged = Outbound(target=Target(kind="group", group_id=1), text=f"见证据\n{PUBLIC}/evidence?token=1.2.3.4.x\n请处理",
                      card=Card(kind="center", title="t", links=[CardUrl(label="证据1", text="照片", url=PUBLIC)]))
    clean = without_links(forged)
    assert clean.text == "见证据\n请处理" and clean.card is not None and clean.card.links == []
    assert await OutboxMessage.all().count() == len(rows)


def test_production_with_a_public_url_needs_the_link_secret() -> None:
    try:
        with pytest.raises(ConfigError, match="MAOTIAO_LINK_SECRET"):
            evidence.configure(load_settings(public_url=PUBLIC, link_secret=""), production=True)
        evidence.configure(load_settings(public_url=PUBLIC, link_secret=""), production=False)  # a sandbox
        assert evidence_links.current() is not None
        evidence.configure(load_settings(public_url="", link_secret=SECRET), production=True)
        assert evidence_links.current() is None  # no public URL: evidence is listed without links
        with pytest.raises(ConfigError, match="MAOTIAO_LINK_SECRET"):
            load_settings(link_secret="short")
    finally:
        evidence_links.reset()
