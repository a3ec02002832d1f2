"""帮助: what this person can do here, by role."""

from __future__ import annotations

from bot.context import Ctx
from core.enums import Role

_LINES = {
    Role.GRID_WORKER: "直接发送文字、图片或语音即可上报矛盾纠纷,确认后获得案件编号",
    Role.VILLAGE_MEDIATOR: "直接发送文字即可上报矛盾纠纷",
    Role.OFFICER: "收到交办任务卡片后可点击签收、反馈进展、申请延期、退回、办结,也可直接回复文字",
    Role.DISPATCHER: "新上报的纠纷会以卡片推送给您,可受理并交办、改派、退回补充、上报上级",
    Role.LEADER: "重要纠纷会推送给您审定处置方案:同意交办或提级处理",
    Role.SECRETARY: "逾期未办结的任务会推送给您督办",
    Role.ADMIN: "发送「用量」查看本月各平台按量计费的接口调用量和额度",
}
# 一窗受理: center staff register what reached the center itself (bot/commands/register.py)
REGISTER = ("一窗受理:发送「登记 来源 地点 内容」登记窗口来访、来电、12345、信访或上级交办事项,您即为首问责任人,"
            "如:登记 来电 荷花村 张三反映邻居占用消防通道")
COMMON = "常用命令:我的(我的待办/上报)、查询 编号(案件进度)、值班(今日值班)、积案(我包案的积案)、撤回(撤回未提交的上报)"


async def show(ctx: Ctx) -> None:
    lines = [f"{ctx.staff.name},您好!"]
    lines += [f"· {text}" for role, text in _LINES.items() if role.value in ctx.staff.roles]
    if any(r in ctx.staff.roles for r in (Role.DISPATCHER.value, Role.LEADER.value, Role.PETITION_AGENT.value)):
        lines.append(f"· {REGISTER}")
    lines.append(COMMON)
    ctx.reply("\n".join(lines))
