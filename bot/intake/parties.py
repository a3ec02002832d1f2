"""The parties (当事人) a report names, in the ways people write them: "村民张建国和李卫东因宅基地…",
"张三与李四因借款纠纷", "当事人王秀英反映…", and the informal 老王 / 小李 / 张某. Their names fill the 协议书
and let records kept inside the center hide them (core/privacy.py)."""

from __future__ import annotations

import re

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "傅柳"
)  # single characters (a character class below); the compound surnames are _COMPOUND
_COMPOUND = "欧阳|上官|司马|诸葛"
# Characters that end a given name rather than belong to it: joining words, particles, family words, verbs.
_NOT_IN_NAME = "家因与和跟同及的是在说等户两俩夫妻之发为被向把对将从地了也都又还就村组镇乡区某人吵闹骂打"
_GIVEN = rf"(?:(?![{_NOT_IN_NAME}])[\u4e00-\u9fa5]){{1,2}}"
_NAME = rf"(?:(?:{_COMPOUND})|[{SURNAMES}]){_GIVEN}"
_AND = r"(?:和|与|跟|同|及|、|以及)"
_AFTER = r"(?=两家|两户|二人|两人|双方|之间|夫妻|因|为了|为|发生|家|的|,|,|。|;|、|反映|称|说|向|在|与|和|跟|对|吵|闹|骂|打|争|纠纷|矛盾|占|欠|拒|要|不|多次|经常|私自|擅自|强行|长期|一直|今天|昨天|等|$)"
_ROLE = (r"(?:村民|居民|群众|当事人|农户|业主|户主|租户|住户|老人|男子|女子|妇女|工人|商户|店主|邻居|申请人|"
         r"被申请人|甲方|乙方|反映人|来访人|投诉人|一方|对方|丈夫|妻子|儿子|女儿|老板|包工头)")
_PAIR = re.compile(rf"(?P<a>{_NAME})(?:家|一家)?{_AND}{_ROLE}?(?P<b>{_NAME}){_AFTER}")
_AFTER_ROLE = re.compile(rf"{_ROLE}(?P<a>{_NAME}){_AFTER}")
_INFORMAL = re.compile(rf"(?<![养])老[{SURNAMES}](?![客板师乡人公婆太伴少总])|小[{SURNAMES}](?![区学组时序])|[{SURNAMES}]某+")
_NOT_NAMES = frozenset({"周边", "周围", "高兴", "方便", "马上", "万一", "向来", "任何", "金额", "石头", "张贴",
                        "于是", "时间", "黄色", "白天", "江边", "龙头", "和好", "严重", "程度", "司法", "孔子",
                        "付款", "付钱", "方面", "万元", "高层", "钱款", "房东", "江湖", "方式", "方法", "方案", "方向",
                        "程序", "金融", "武装", "韩国"})


def party_names(text: str) -> list[str]:
    """The parties named in a report, in the order first written, each once."""
    found: list[tuple[int, str]] = []
    for m in _PAIR.finditer(text):
        found += [(m.start("a"), m.group("a")), (m.start("b"), m.group("b"))]
    found += [(m.start("a"), m.group("a")) for m in _AFTER_ROLE.finditer(text)]
    found += [(m.start(), m.group(0)) for m in _INFORMAL.finditer(text)]
    names = [name for _, name in sorted(found) if name not in _NOT_NAMES]
    full = [n for n in names if not n.startswith(("老", "小")) and "某" not in n]
    # "张某" or "老张" next to 张建国 is the same person written loosely: keep the full name only
    kept = [n for n in names if n in full or not any(f[0] == n[-1] or f[0] == n[0] for f in full)]
    return list(dict.fromkeys(kept))
