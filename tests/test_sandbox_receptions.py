"""领导接访 in the sandbox (`maotiao serve` with no credentials), over its HTTP page API: the demo org's weekly
reception is listed on WeCom, a citizen is booked on DingTalk, and when the sandbox clock reaches the day the
leader is reminded with the citizen booked."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from core.clock import DISPLAY_TZ
from tests.test_sandbox import sandbox_serve


def test_reception_listed_booked_and_reminded_in_the_sandbox(tmp_path) -> None:
    with sandbox_serve(tmp_path) as served:
        page = served.page
        now = datetime.strptime(page.chat("林晓")["now"][:16], "%Y-%m-%d %H:%M").replace(tzinfo=DISPLAY_TZ)
        wednesday = now.date() + timedelta(days=(2 - now.weekday()) % 7 or 7)  # the demo org's 周三上午
        page.say("林晓", "接访", platform="wecom")
        page.wait_for("林晓", lambda m: m["platform"] == "wecom"
                      and f"{wednesday.month}月{wednesday.day}日(周三)上午 韩卫国" in (m.get("text") or ""),
                      "the coming reception")
        page.say("林晓", f"预约接访 {wednesday.month}月{wednesday.day}日 韩卫国 张某某 土地补偿", platform="dingtalk")
        page.wait_for("林晓", lambda m: m["platform"] == "dingtalk" and "已预约接访" in (m.get("text") or ""),
                      "the booking confirmed")
        hours = int((datetime.combine(wednesday, time(8, 0), tzinfo=DISPLAY_TZ) - now)
                    .total_seconds() // 3600) + 1
        while hours > 0:
            page.post("/sandbox/api/clock", {"hours": min(hours, 24)})
            hours -= 24
        page.wait_for("韩卫国", lambda m: "【接访提醒】" in (m.get("text") or "") and "张某某" in m["text"],
                      "the reminder with the citizen booked")
