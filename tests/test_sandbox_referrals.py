"""诉调 / 警调对接 and 司法确认 in the sandbox, across both chat platforms: a court's 诉前委派 registered on one,
referred on to the police and its outcome recorded on the other, the 司法确认 status after the application,
all in 查询."""

from __future__ import annotations

from tests.test_sandbox import Page, sandbox_serve


def _said(page: Page, name: str, marker: str) -> None:
    page.wait_for(name, lambda m: marker in (m.get("text") or ""), marker)


def test_dockings_and_judicial_confirmation_in_the_sandbox(tmp_path) -> None:
    with sandbox_serve(tmp_path) as served:
        page = served.page
        page.say("林晓", "登记 诉前委派 法院 30天 荷花村 张三与李四借款纠纷,法院委派调解")
        _said(page, "林晓", "西溪区人民法院诉调委派")
        page.click("林晓", "受理并交办")
        page.say("赵敏", "转 0001 派出所", platform="dingtalk")
        _said(page, "赵敏", "已移送茶园派出所(警调)")
        page.say("赵敏", "移送结果 0001 派出所已调解,双方和解", platform="dingtalk")
        _said(page, "赵敏", "移送茶园派出所的结果")
        page.say("赵敏", "司法确认 0001 双方已签订调解协议,申请确认其效力")
        page.wait_for("赵敏", lambda m: m.get("file") is not None, "the application as a file")
        page.say("赵敏", "司法确认 0001 已确认")
        _said(page, "赵敏", "司法确认情况:已确认有效")
        page.say("林晓", "查询 0001", platform="dingtalk")
        _said(page, "林晓", "司法确认:已确认有效")
        _said(page, "林晓", "委派自西溪区人民法院(诉调)")
