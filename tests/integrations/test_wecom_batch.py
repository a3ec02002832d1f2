"""The same notice to many WeCom members goes out as one message/send (touser "a|b|…", up to 1,000 members a
call), as WeCom documents it (发送应用消息, document/path/90236): the fake takes it as WeCom does, and our channel
reads each member's outcome from the answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.outbox import enqueue
from bot.types import Outbound, Target
from core.enums import Platform
from core.models import Identity, OutboxMessage, Staff
from integrations.wecom.errors import WeComError
from scheduler.delivery import deliver_due
from tests.integrations.wecom_rig import wecom_rig

SEND = "/cgi-bin/message/send"


async def _members() -> dict[str, int]:
    """Every WeCom member of the demo organisation: userid → staff id."""
    return dict(await Identity.filter(platform=Platform.WECOM.value).values_list("external_id", "staff_id"))


async def test_fake_takes_several_members_in_touser_and_names_the_unknown_ones(org, domain) -> None:
    """Source: document/path/90236 — touser "a|b", at most 1,000; unknown members are answered in `invaliduser`
    (lower case) while the rest still get the message; when every one is unknown the call fails with 81013."""
    async with wecom_rig(domain, groups=False, known_users={"zhouxm", "wudw"}) as rig:
        api = rig.registry.get(Platform.WECOM).api
        answer = await api.send("zhouxm|Ghost|wudw", "text", {"content": "本周排查开始"})
        assert answer["errcode"] == 0 and answer["invaliduser"] == "ghost"
        assert rig.fake.texts("zhouxm") == ["本周排查开始"] and rig.fake.texts("wudw") == ["本周排查开始"]
        with pytest.raises(WeComError) as refused:
            await api.send("ghost|nobody", "text", {"content": "无人"})
        assert refused.value.errcode == 81013
        with pytest.raises(WeComError):  # more than 1,000 members in one call
            await api.send("|".join(["zhouxm"] * 1001), "text", {"content": "太多"})
        assert rig.fake.texts("zhouxm") == ["本周排查开始"]


async def test_fake_counts_a_multi_member_send_against_each_members_limit(org, domain) -> None:
    """Source: document/path/90236 — one call to 1,000 members counts 1,000 person-messages; past 30 a minute for
    one member, that member's copy is dropped silently and the others still get theirs."""
    async with wecom_rig(domain, rate_per_minute=1) as rig:
        api = rig.registry.get(Platform.WECOM).api
        await api.send("zhouxm", "text", {"content": "第一条"})
        answer = await api.send("zhouxm|wudw", "text", {"content": "第二条"})
        assert answer["errcode"] == 0
        assert rig.fake.texts("zhouxm") == ["第一条"] and rig.fake.texts("wudw") == ["第二条"]
        assert rig.fake.dropped_silently == 1


async def test_the_same_notice_to_every_wecom_member_goes_out_in_one_call(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        members = await _members()
        assert len(members) >= 5
        await enqueue([Outbound(target=Target(staff_id=s), text="【排查提醒】本周矛盾纠纷排查开始") for s in members.values()],
                      clock.now())
        await deliver_due(rig.registry, clock)
        assert rig.fake.calls.count(SEND) == 1
        assert all(rig.fake.texts(u) == ["【排查提醒】本周矛盾纠纷排查开始"] for u in members)
        rows = await OutboxMessage.all()
        assert {(r.status, r.attempts, r.platform) for r in rows} == {("sent", 1, "wecom")}


async def test_an_unknown_member_of_a_wecom_batch_becomes_a_dead_letter_and_the_others_get_it(
        org, domain, clock) -> None:
    members = await _members()
    gone = "wudw"  # left the company: WeCom no longer knows the userid
    async with wecom_rig(domain, groups=False, known_users=set(members) - {gone}) as rig:
        await enqueue([Outbound(target=Target(staff_id=s), text="今日值班:林晓") for s in members.values()], clock.now())
        await deliver_due(rig.registry, clock)
        assert rig.fake.calls.count(SEND) == 1
        assert all(rig.fake.texts(u) == ["今日值班:林晓"] for u in members if u != gone)
        rows = {r.payload["target"]["staff_id"]: r for r in await OutboxMessage.all() if r.payload["text"] == "今日值班:林晓"}
        assert rows[members[gone]].status == "dead" and gone in rows[members[gone]].last_error
        assert {r.status for s, r in rows.items() if s != members[gone]} == {"sent"}


async def test_a_member_at_their_limit_waits_while_the_rest_of_the_batch_goes(org, domain, clock) -> None:
    members = await _members()
    async with wecom_rig(domain) as rig:
        channel = rig.registry.get(Platform.WECOM)
        busy = "zhouxm"  # has had 30 messages this minute
        assert await channel.rates.windows(f"wecom:{channel.api.settings.agent_id}:{busy}", channel.limits, 30) == 0
        await enqueue([Outbound(target=Target(staff_id=s), text="值班表已更新") for s in members.values()], clock.now())
        await deliver_due(rig.registry, clock)
        assert rig.fake.texts(busy) == [] and rig.fake.dropped_silently == 0
        assert all(rig.fake.texts(u) == ["值班表已更新"] for u in members if u != busy)
        waiting = await OutboxMessage.get(status="pending")
        assert waiting.payload["target"]["staff_id"] == members[busy]
        assert waiting.attempts == 0 and waiting.next_attempt_at > clock.now()  # a wait, not a failed try


async def test_a_wecom_batch_never_overtakes_a_members_earlier_message(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:
        zhou, wu, feng = [await Staff.get(name=n) for n in ("周小梅", "吴大伟", "冯建")]
        wecom = Target(staff_id=zhou.id, platform=Platform.WECOM)
        await enqueue([Outbound(target=wecom, text="第一条")], clock.now())
        await enqueue([Outbound(target=Target(staff_id=s.id, platform=Platform.WECOM), text="群发")
                       for s in (zhou, wu, feng)], clock.now())
        for _ in range(3):
            await deliver_due(rig.registry, clock)
        assert rig.fake.texts("zhouxm") == ["第一条", "群发"]
        assert rig.fake.texts("wudw") == ["群发"] and rig.fake.texts("fengj") == ["群发"]


async def test_a_markdown_notice_reaches_text_only_members_as_plain_text_in_the_same_batch_run(
        org, domain, clock) -> None:
    from core.models import Setting
    from integrations import text_only

    members = await _members()
    await Setting.update_or_create(key=text_only.KEY, defaults={"value": {"all": False, "wecom": ["zhouxm"]}})
    text_only.forget()
    try:
        async with wecom_rig(domain) as rig:
            await enqueue([Outbound(target=Target(staff_id=s), text="**本周值班**:林晓", markdown=True)
                           for s in members.values()], clock.now())
            await deliver_due(rig.registry, clock)
            assert [m.msgtype for m in rig.fake.inbox["zhouxm"]] == ["text"]
            assert rig.fake.texts("zhouxm") == ["本周值班:林晓"]
            assert all([m.msgtype for m in rig.fake.inbox[u]] == ["markdown"] for u in members if u != "zhouxm")
            assert rig.fake.calls.count(SEND) == 2  # one call for the plain readers, one for the rest
    finally:
        text_only.forget()


async def test_a_batch_wecom_throttles_waits_and_goes_out_whole_on_the_next_pass(org, domain, clock) -> None:
    """Source: 全局错误码 (document/path/90455) — 45009, the API's frequency limit: the whole call is refused.
    Waiting for it is not a failed try; the batch goes out later, still in one call."""
    members = await _members()
    async with wecom_rig(domain, rate_limited=1) as rig:
        await enqueue([Outbound(target=Target(staff_id=s), text="今晚值班:林晓") for s in members.values()], clock.now())
        await deliver_due(rig.registry, clock)
        assert rig.fake.limited_count == 1 and all(rig.fake.texts(u) == [] for u in members)
        assert {(r.status, r.attempts) for r in await OutboxMessage.all()} == {("pending", 0)}
        clock.advance(timedelta(seconds=61))
        await deliver_due(rig.registry, clock)
        assert rig.fake.calls.count(SEND) == 2
        assert all(rig.fake.texts(u) == ["今晚值班:林晓"] for u in members)
