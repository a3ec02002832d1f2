"""WeCom group chats: appchat/send reaches only chats this app created with appchat/create (document/path/90245,
98914; PLATFORMS.md). The fake refuses every other chatid as WeCom does, `maotiao groups create` makes the
center's groups once each, and group messages then arrive."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from core.enums import Platform
from core.models import GroupAddress, GroupChat, OutboxMessage, Staff
from integrations.groups import make_groups, render
from integrations.wecom.errors import WeComError
from integrations.wecom.groups import derived_chat_id
from scheduler.rhythm import roster_broadcast
from tests.conftest import cst
from tests.integrations.wecom_rig import WeComRig, wecom_rig

W = Platform.WECOM
WORK_GROUP, LEADERS = "茶园乡矛调工作群", "茶园乡领导群"
# The demo org's center people in 茶园乡 with a WeCom account, in the default rule's order (admin, dispatcher,
# leader, secretary, officer, petition_agent): 林晓 (admin) owns the chat; 邓华 works for the district.
WORK_MEMBERS = ["linx", "tangzg", "hanwg", "zhaom", "qianw", "liq", "huangl", "mal", "liangj", "songt"]


def _api(rig: WeComRig) -> Any:
    return rig.registry.get(W).api  # type: ignore[union-attr]


def _settings(rig: WeComRig) -> dict[Platform, Any]:
    return {W: _api(rig).settings}


async def _errcode(call: Any) -> int:
    with pytest.raises(WeComError) as caught:
        await call
    return caught.value.errcode


async def test_the_fake_refuses_group_messages_to_a_chat_the_app_did_not_create(org, domain) -> None:
    async with wecom_rig(domain, groups=False) as rig:
        api = _api(rig)
        assert await _errcode(api.send_group("chayuan01", "text", {"content": "值班"})) == 86003
        assert await _errcode(api.get_chat("chayuan01")) == 86003
        assert rig.fake.groups == {}
        assert await api.create_chat("工作群", "linx", ["linx", "zhaom"], "chayuan01") == "chayuan01"
        await api.send_group("chayuan01", "text", {"content": "值班"})
        assert [m.body["content"] for m in rig.fake.groups["chayuan01"]] == ["值班"]


async def test_the_fake_checks_appchat_create_as_wecom_does(org, domain) -> None:
    """90245: 2-2000 members who exist, the owner among them; chatid 0-9a-zA-Z, at most 32, not yet used; the
    name cut to 50 characters; a self-built app visible from the root department."""
    async with wecom_rig(domain, groups=False, known_users={"linx", "zhaom", "qianw"}) as rig:
        api = _api(rig)
        assert await _errcode(api.create_chat("群", "linx", ["linx"])) == 86006
        assert await _errcode(api.create_chat("群", "linx", ["linx", "nobody"])) == 86007
        assert await _errcode(api.create_chat("群", "nobody", ["linx", "zhaom"])) == 86005
        assert await _errcode(api.create_chat("群", "qianw", ["linx", "zhaom"])) == 86207
        assert await _errcode(api.create_chat("群", "linx", ["linx", "zhaom"], "chat-01")) == 86001
        assert await _errcode(api.create_chat("群", "linx", ["linx", "zhaom"], "a" * 33)) == 86205
        made = await api.create_chat("名" * 60, "linx", ["linx", "zhaom"])
        assert made and made.isalnum() and len(made) <= 32  # WeCom makes one up when none is given
        assert rig.fake.chats[made]["name"] == "名" * 50
        assert await api.create_chat("群", "linx", ["linx", "zhaom"], "a" * 32) == "a" * 32
        assert await _errcode(api.create_chat("群", "linx", ["linx", "zhaom"], "a" * 32)) == 86215
        rig.fake.visible_parties = [7]
        assert await _errcode(api.create_chat("群", "linx", ["linx", "zhaom"], "b1")) == 60011
        assert await _errcode(api.send_group(made, "text", {"content": "x"})) == 60011


async def test_a_group_message_to_a_chat_the_app_did_not_create_is_a_dead_letter_naming_groups_create(
        org, domain, clock) -> None:
    async with wecom_rig(domain, groups=False) as rig:
        clock.set(cst(2026, 11, 23, 8, 0))
        assert await roster_broadcast(domain)
        await rig.settle()
        group = await GroupChat.get(name=WORK_GROUP)
        dead = [r for r in await OutboxMessage.filter(status="dead", platform=W.value)
                if r.payload["target"].get("group_id") == group.id]
        assert len(dead) == 1 and dead[0].attempts == 1  # one try: no retry can make the chat exist
        assert "chayuan01" in dead[0].last_error and "不是本应用创建的群" in dead[0].last_error
        assert "maotiao groups create" in dead[0].last_error
        assert any("【消息未送达】" in t and "maotiao groups create" in t for t in rig.fake.texts("linx"))


async def test_groups_create_makes_each_group_once_with_its_members_and_keeps_its_chatid(org, domain) -> None:
    async with wecom_rig(domain, groups=False) as rig:
        first = await make_groups(_settings(rig))
        assert [(o.group, o.status, o.ref) for o in first] == [(WORK_GROUP, "created", "chayuan01"),
                                                               (LEADERS, "created", "chayuanlead")]
        work, leaders = rig.fake.chats["chayuan01"], rig.fake.chats["chayuanlead"]
        assert work["name"] == WORK_GROUP and work["owner"] == "linx" and work["userlist"] == WORK_MEMBERS
        assert leaders["owner"] == "hanwg" and leaders["userlist"] == ["hanwg", "tangzg"]  # members: [secretary, leader]
        assert first[1].without_account == ["曹军"]  # a leader on DingTalk only cannot be put in a WeCom chat
        assert not any(o.new_ref for o in first)  # the org file's chatids were used: the file stays true
        again = await make_groups(_settings(rig))
        assert [o.status for o in again] == ["exists", "exists"]
        assert rig.fake.calls.count("/cgi-bin/appchat/create") == 2 and len(rig.fake.chats) == 2
        assert "不再创建" in render(again, dry_run=False)


async def test_a_group_without_a_usable_chatid_gets_one_stored_and_the_org_file_line_printed(org, domain) -> None:
    group = await GroupChat.get(name=LEADERS)
    await GroupAddress.filter(group_id=group.id, platform=W.value).delete()
    await GroupAddress.filter(platform=W.value).exclude(group_id=group.id).update(ref="not-alnum")
    async with wecom_rig(domain, groups=False) as rig:
        plan = await make_groups(_settings(rig), dry_run=True)
        assert [o.status for o in plan] == ["planned", "planned"] and rig.fake.chats == {}
        assert "演练" in render(plan, dry_run=True)
        done = await make_groups(_settings(rig))
        assert [o.ref for o in done] == [derived_chat_id(WORK_GROUP), derived_chat_id(LEADERS)]
        assert (await group.refs())[W.value] == derived_chat_id(LEADERS)
        text = render(done, dry_run=False)
        assert f'wecom_chatid: "{derived_chat_id(LEADERS)}"' in text and "写入组织文件" in text
        # The database lost the address (an org import without the key): the next run finds the same chat.
        await GroupAddress.filter(group_id=group.id, platform=W.value).delete()
        assert [o.status for o in await make_groups(_settings(rig))] == ["exists", "created"]
        assert len(rig.fake.chats) == 2 and (await group.refs())[W.value] == derived_chat_id(LEADERS)


async def test_a_group_with_fewer_than_two_wecom_members_is_reported_and_not_created(org, domain) -> None:
    await GroupChat.filter(name=LEADERS).update(members=["曹军", "韩卫国"])
    async with wecom_rig(domain, groups=False) as rig:
        out = await make_groups(_settings(rig))
        leaders = out[1]
        assert leaders.status == "failed" and "不足 2 人" in leaders.reason and leaders.without_account == ["曹军"]
        assert "chayuanlead" not in rig.fake.chats
        assert "❌" in render(out, dry_run=False)


async def test_the_roster_then_reaches_the_created_chat(org, domain, clock) -> None:
    async with wecom_rig(domain) as rig:  # the rig creates the groups first, as going live does
        clock.set(cst(2026, 11, 23, 8, 0))
        assert await roster_broadcast(domain)
        await rig.settle()
        texts = [m.body["content"] for m in rig.fake.groups["chayuan01"]]
        assert len(texts) == 1 and "【今日值班】" in texts[0]
        assert await OutboxMessage.filter(status="dead", platform=W.value).count() == 0


async def test_groups_create_without_wecom_configured_says_so(monkeypatch, tmp_path) -> None:
    import os

    from maotiao.groups_cmd import configured

    monkeypatch.chdir(tmp_path)  # no .env here
    for name in [k for k in os.environ if k.startswith("WECOM_")]:
        monkeypatch.delenv(name)
    found, why = configured()
    assert found == {} and "企业微信未配置" in why and "WECOM_*" in why


async def test_groups_create_command_prints_what_it_did_and_fails_on_a_refused_group(org, domain, capsys) -> None:
    from maotiao.groups_cmd import create

    await Staff.filter(name="韩卫国").update(active=False)  # 领导群 is left with one WeCom member
    async with wecom_rig(domain, groups=False) as rig:
        assert await create(_settings(rig), argparse.Namespace(dry_run=False)) == 1
        out = capsys.readouterr().out
        assert f"✅ 企业微信「{WORK_GROUP}」:已建群 chayuan01(9 人,群主 林晓" in out
        assert f"❌ 企业微信「{LEADERS}」:未建群" in out
