"""重点人员 in the sandbox (`maotiao serve` with no credentials, the fake platforms): registered on WeCom,
listed and followed up on DingTalk, the due follow-up reminded as the sandbox clock moves on; the name never
reaches a group or the server's log."""

from __future__ import annotations

from tests.test_sandbox import sandbox_serve


def test_key_people_on_both_platforms_in_the_sandbox(tmp_path) -> None:
    with sandbox_serve(tmp_path) as served:
        page = served.page
        hour = int(page.chat("林晓")["now"][11:13])
        page.post("/sandbox/api/clock", {"hours": (10 - hour) % 24 or 24})  # daytime: no quiet hours
        page.say("周小梅", "重点人员 登记 欧阳某某 矛盾激化 每3天走访", platform="wecom")
        page.wait_for("周小梅", lambda m: "已登记重点人员 欧阳某某" in (m.get("text") or ""), "the registration")
        page.say("周小梅", "重点人员", platform="dingtalk")
        page.wait_for("周小梅", lambda m: m["platform"] == "dingtalk" and "欧阳某某 矛盾激化" in (m.get("text") or ""),
                      "the register on DingTalk")
        page.say("周小梅", "随访 欧阳某某 情绪平稳", platform="dingtalk")
        page.wait_for("周小梅", lambda m: "已记录对 欧阳某某 的随访" in (m.get("text") or ""), "the follow-up")
        page.post("/sandbox/api/clock", {"hours": 24 * 3 + 1})
        page.wait_for("周小梅", lambda m: "【重点人员随访提醒】欧阳某某" in (m.get("text") or ""), "the reminder")
        page.say("林晓", "重点人员", platform="wecom")
        page.wait_for("林晓", lambda m: "您没有可查看的重点人员" in (m.get("text") or ""), "nothing for the dispatcher")
        groups = [m.get("text") or "" for g in page.chat("林晓")["groups"] for m in g["messages"]]
        assert not [t for t in groups if "欧阳某某" in t]
    out = served.log()
    assert "欧阳某某" not in out
