"""帮助: what this person can do here, by role."""

from __future__ import annotations

from bot.commands import referrals
from bot.context import Ctx
from core.enums import Role

_LINES = {
    Role.GRID_WORKER: "直接发送文字、图片或语音即可上报矛盾纠纷,确认后获得案件编号;被退回补充的案件回复「补充 0042 补充内容」",
    Role.VILLAGE_MEDIATOR: "直接发送文字即可上报矛盾纠纷",
    Role.OFFICER: "收到交办任务卡片后可点击签收、反馈进展、申请延期、退回、办结,也可直接回复文字",
    Role.DISPATCHER: "新上报的纠纷会以卡片推送给您,可受理并交办、改派、退回补充、上报上级;"
                     "也可回复「交办 0042 给司法所 抄送张伟 3个工作日 提前一天提醒 加急」设定任务,「改类 0042 劳资纠纷」更正类别",
    Role.LEADER: "重要纠纷会推送给您审定处置方案:同意交办或提级处理,或回复「审定 0042 方案内容」写明处置方案",
    Role.SECRETARY: "逾期未办结的任务会推送给您督办",
    Role.ADMIN: "发送「用量」查看本月各平台按量计费的接口调用量和额度",
}
# 联合调处 after dispatch and the 积案库 from chat
_CASEWORK = {
    Role.DISPATCHER: "已交办的案件可在卡片上追加部门、更换牵头,或回复「追加 0042 市场监管所」「牵头 0042 司法所」;"
                     "「积案 0042 包案 韩卫国」列入积案库,「销号 0042 化解结果」销号",
    Role.LEADER: "「积案 0042 包案 韩卫国」列入积案库;您包案的积案每月回复「评估 0042 进展… 下一步…」,"
                 "化解后回复「销号 0042 化解结果」",
    Role.OFFICER: "联合调处由您牵头时,回复「撤回 0042 市场监管所」可撤回协办单位",
}
# Records from chat: 登记表 (bot/commands/register_form.py), 调解记录 (bot/commands/mediation.py), 履行
# (bot/commands/performance.py), 会商研判 (bot/commands/meeting.py)
_REGISTER_FORM = "「登记表 0042」调阅该案的三级四步登记表(.docx 文件)"
_MEDIATION = "「调解记录 0042 调解员 何永和、王律师 组织 人民调解委员会 方式 上门调解 难度 一般」登记调解员和调解方式"
_PERFORMANCE = "「履行 0042 已履行 赔偿款已付清」登记协议履行情况(已履行/部分履行/履行中/未履行)"
_MEETING = ("会商研判:「会商 周会商」开始会议,「议定 张伟 负责 0042 调解回访 12月10日前」记录议定事项(到期前提醒责任人),"
            "「散会」结束并把会议纪要发给参会人员,「纪要」再次获取")
_BULLETIN = "「通报 上月」调阅月度考核通报(.docx 文件,也可写「通报 2026年11月」)"
_RECORDS = {Role.DISPATCHER: (_REGISTER_FORM, _MEDIATION, _PERFORMANCE, _MEETING, _BULLETIN),
            Role.LEADER: (_REGISTER_FORM, _MEETING, _BULLETIN), Role.SECRETARY: (_MEETING, _BULLETIN),
            Role.OFFICER: (_MEDIATION, _PERFORMANCE), Role.VILLAGE_MEDIATOR: (_PERFORMANCE,)}
# 一窗受理: center staff register what reached the center itself (bot/commands/register.py)
REGISTER = ("一窗受理:发送「登记 来源 地点 内容」登记窗口来访、来电、12345、信访或上级交办事项,您即为首问责任人,"
            "如:登记 来电 荷花村 张三反映邻居占用消防通道")
# The grid's routine (bot/commands/screening.py, visits.py, absence.py)
_ROUTINE = {
    Role.GRID_WORKER: "每周排查:收到排查提醒后回复「零报告」,或「排查 发现的情况」(随后确认上报);专项排查按提醒中的编号回复;"
                      "走访巡查一条消息登记:「走访 东村3组 王大爷 反映排水问题已协调」或「巡查 …」;"
                      "重点人员(仅单聊):「重点人员 登记 姓名 类别 每周走访」登记本网格重点人员,「随访 姓名 情况」登记随访,"
                      "「重点人员」查看名单",
    Role.VILLAGE_MEDIATOR: "「走访 地点 对象 情况」登记走访;本村网格逾期未报排查时会通知您",
    Role.LEADER: "「发起专项排查 主题 区域 期限」发起专项排查,如:发起专项排查 山塘水库周边隐患 茶园乡 3天;"
                 "「重点人员」查看辖区重点人员名单(仅单聊)",
    Role.DISPATCHER: "「发起专项排查 主题 区域 期限」发起专项排查;每轮排查截止后推送未报网格名单;"
                     "「重点人员 登记 姓名 类别 网格 每周走访」登记重点人员(仅单聊)",
}
# 应急处置 (bot/commands/emergencies.py)
_COMMAND = ("应急处置:红色预警自动启动,您回复「启动应急 0042」即加急派出预案中的应急队伍(其他案件也可直接启动);"
            "「续报 0042 现场情况」向党委续报,「应急结束 0042 处置情况总结」结束并发送终报")
_ON_SITE = "应急处置期间,回复「续报 0042 现场已控制,人员已疏散」即向党委续报现场情况"
_EMERGENCY = {Role.LEADER: _COMMAND, Role.SECRETARY: _COMMAND, Role.DISPATCHER: _ON_SITE, Role.OFFICER: _ON_SITE}
# 领导接访 / 下访 (bot/commands/receptions.py)
_RECEPTIONS = {
    Role.DISPATCHER: "领导接访:「接访」查看近两周安排,「接访安排 韩卫国 12月10日上午 矛调中心 限10人」,"
                     "「预约接访 12月10日 韩卫国 张某某 土地补偿 0042」,「接访结果 0042 情况」,「取消接访 12月10日上午 韩卫国」",
    Role.LEADER: "领导接访、下访:「接访」查看近两周安排和预约,「约访 12月10日 韩卫国 张某某 事项」,"
                 "「下访 12月12日 荷花村 带件 0042 0051」,"
                 "接访后「接访结果 0042 情况」;接访前一天和当天早上会提醒您",
}
LEAVE = "请假:「请假 12月8日至12月10日」,期间新交办的任务和提醒转给您的AB岗;提前返岗发送「销假」"
COMMON = "常用命令:我的(我的待办/上报)、查询 编号(案件进度)、值班(今日值班)、积案(我包案的积案)、撤回(撤回未提交的上报)"


async def show(ctx: Ctx) -> None:
    lines = [f"{ctx.staff.name},您好!"]
    lines += [f"· {text}" for role, text in _LINES.items() if role.value in ctx.staff.roles]
    lines += [f"· {text}" for role, text in _CASEWORK.items() if role.value in ctx.staff.roles]
    lines += list(dict.fromkeys(f"· {text}" for role, texts in _RECORDS.items() if role.value in ctx.staff.roles
                                for text in texts))
    if any(r in ctx.staff.roles for r in (Role.DISPATCHER.value, Role.LEADER.value, Role.PETITION_AGENT.value)):
        lines.append(f"· {REGISTER}")
    lines += list(dict.fromkeys(f"· {text}" for role, text in _ROUTINE.items() if role.value in ctx.staff.roles))
    lines += [f"· {text}" for text in referrals.help_lines(ctx.staff.roles)]
    lines += list(dict.fromkeys(f"· {text}" for role, text in _EMERGENCY.items() if role.value in ctx.staff.roles))
    lines += list(dict.fromkeys(f"· {t}" for role, t in _RECEPTIONS.items() if role.value in ctx.staff.roles))
    lines.append(f"· {LEAVE}")
    lines.append(COMMON)
    ctx.reply("\n".join(lines))
