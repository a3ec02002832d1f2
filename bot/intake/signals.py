"""Cues for severity and flags, as the intake rubric defines them. Regexes over the report text."""

from __future__ import annotations

import re

# 重大 triggers (besides 30+ people).
DEATH = re.compile(r"死亡|身亡|致死|丧命|死者|遇难|溺亡|猝死|出了人命|闹出人命|尸体|尸首|遗体|死了人|人死了|被打死|撞死")
WEAPON_OR_VIOLENCE_NOW = re.compile(
    r"持刀|拿刀|菜刀|砍刀|动刀|砍人|砍伤|棍棒|铁棍|棍子|木棍|铁锹|斧头|锄头打|枪|炸药|汽油|燃油.{0,4}(泼|点)|"
    r"纵火|放火|械斗|正在(打|殴|砸)|打砸|围殴|群殴|追打|追砍|行凶"
)
SELF_HARM = re.compile(r"自杀|跳楼|跳河|喝农药|服毒|喝药|寻死|轻生|自残|割腕|上吊|同归于尽|不想活|以死相逼|寻短见")
SKIP_LEVEL = re.compile(r"进京|去北京|到北京|上北京|越级|赴京|抬棺|棺材|停尸")

# 重要 triggers (besides 5–29 people acting together).
THREAT = re.compile(r"扬言|报复|要他好看|弄死|打死他|拼命|放话|威胁|讨个说法不然|不给.{0,6}就(闹|堵|砸|打|去)")
FIGHT_INJURY = re.compile(r"(打架|斗殴|互殴|殴打|打起来|动起手|扭打|打伤|被打).{0,12}(伤|住院|流血|骨折)|(打|殴).{0,3}伤")
PETITION_UP = re.compile(
    r"(去|到|上|找)(区|县|市|省)(里|委|政府|信访)|(区|县|市|省)(里|政府|信访局).{0,4}(反映|上访|告状|讨说法)|"
    r"集体上访|上访|信访"
)
MEDIA = re.compile(
    r"记者|媒体|曝光|抖音|快手|微博|头条|朋友圈|发视频|直播|热搜|电视台|舆论|"
    r"(发|传|挂|贴|发布|放)(到|在)?网(上|络)|网上(曝光|发帖|发布|炒作|求助)"
)
REPEATED_FAILURE = re.compile(
    r"(多次|反复|几次|屡次|两次|三次).{0,6}调解.{0,6}(未果|无果|不成|失败|没成|没有结果)|"
    r"调解(过|了)?.{0,3}(多|几|两|三|四|数)次.{0,6}(未|无|不|没)"
)

# Flags.
GROUP_ACTION = re.compile(
    r"聚集|集体(上访|讨薪|维权|反映|停工|罢工|围堵|堵|闹|去|到|找|投诉|拒)|群体|联名|围堵|"
    r"一起(找|去|到|来|堵|闹|上访|反映)|一同|结伙|成群"
)
STABILITY = re.compile(
    r"打架|斗殴|互殴|扭打|推搡|打起来|动手打架|冲突|对峙|堵路|拦路|封路|堵门|堵在|围堵|拦车|拉横幅|横幅|打砸|"
    r"持刀|动刀|械斗|扬言|同归于尽|要动手|报复|闹事|静坐|围攻|纵火|放火|聚集|砸了|砸坏|砸烂|砸车|砸门|追打|"
    r"(遗体|尸体|棺材|花圈).{0,8}(停|摆|放|抬)"
)
INSTITUTION_DEATH = re.compile(
    r"(医院|卫生院|诊所|养老院|敬老院|学校|幼儿园|派出所|看守所|工地|厂里).{0,20}(死亡|身亡|死了|去世|过世|病逝)"
)


def any_match(pattern: re.Pattern[str], text: str) -> bool:
    return pattern.search(text) is not None
