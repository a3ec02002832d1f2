"""The classifier under the plain-words routes, over many phrasings as people type them in chat: what is an
acknowledgement, a question, a dispute; what an officer's sentence asks of the task; whom a report names."""

from __future__ import annotations

import pytest

from bot.commands.task_plain import read_plain
from bot.intake.kinds import Kind, case_reference, kind_of
from bot.intake.labelled import corpus
from bot.intake.parties import party_names
from core.transitions import TaskAction

ACKS = ["好的", "好", "好滴", "好嘞", "好的好的", "收到", "收到了", "收到收到", "已收到", "好的收到", "嗯", "嗯嗯",
        "嗯嗯好的", "哦哦", "知道了", "明白", "明白了", "了解", "行", "可以", "没问题", "OK", "ok的", "👍", "👌👌",
        "🙏", "[OK]", "[强]", "[抱拳][抱拳]", "[微笑]好的", "。", "...", "好的!", "收到,好的", "是的", "对的", "666", "哈哈哈"]
THANKS = ["谢谢", "谢谢你", "谢谢您辛苦了", "感谢", "多谢", "辛苦了", "辛苦辛苦", "麻烦您了", "谢啦"]
GREETINGS = ["你好", "您好", "在吗", "在吗?", "有人吗", "早上好", "下午好", "领导好"]
CASE_QUESTIONS = ["0001现在咋样了", "0042怎么样了", "2026-0042进展如何?", "42号案子有消息没", "0042办好了没",
                  "0042现在谁在办", "请问0042什么情况", "0042处理得如何"]
DUTY_QUESTIONS = ["今天谁值班", "明天谁值班", "后天值班的是哪位", "今天值班的是谁", "今天哪位领导值班", "值班领导是谁", "谁值班?", "值班人员有哪些"]
DISPUTES = ["邻居吵架", "有人吵架", "张三欠我钱不还", "两户人家鸡鸭跑进对方菜地起了口角", "老王家的狗咬人了",
            "村民张建国和李卫东因宅基地边界发生争执", "楼上漏水到我家,找他们不理", "孩子在学校被打了",
            "装修队老板欠了两个工人的工资不给", "在镇上饭店吃了凉拌菜，回家以后全家拉肚子",
            "因为征地补偿标准太低四十几户村民聚集在村委会门口", "补充:已经吵了三天", "纠纷"]
OTHER = ["荷花村", "今天天气不错", "荷花村第一网格", "明天再说吧"]


@pytest.mark.parametrize("text", ACKS)
def test_acknowledgements(text: str) -> None:
    assert kind_of(text) is Kind.ACK


@pytest.mark.parametrize("text", THANKS)
def test_thanks(text: str) -> None:
    assert kind_of(text) is Kind.THANKS


@pytest.mark.parametrize("text", GREETINGS)
def test_greetings(text: str) -> None:
    assert kind_of(text) is Kind.GREETING


@pytest.mark.parametrize("text", CASE_QUESTIONS)
def test_questions_about_a_case(text: str) -> None:
    assert kind_of(text) is Kind.CASE_QUESTION and case_reference(text) is not None


@pytest.mark.parametrize("text", DUTY_QUESTIONS)
def test_duty_questions(text: str) -> None:
    assert kind_of(text) is Kind.DUTY_QUESTION


@pytest.mark.parametrize("text", DISPUTES)
def test_dispute_descriptions(text: str) -> None:
    assert kind_of(text) is Kind.DISPUTE


@pytest.mark.parametrize("text", OTHER)
def test_content_that_describes_no_dispute(text: str) -> None:
    assert kind_of(text) is Kind.OTHER


@pytest.mark.parametrize(("text", "number"), [
    ("0042那个已经联系上了", "0042"), ("2026-0042 已约双方", "2026-0042"), ("42号案子怎么样了", "42"),
    ("明天上午9点到村委会,赔偿2000元", None), ("3天内办完", None), ("120平方的房子", None),
])
def test_a_case_number_in_a_sentence_is_not_a_count_or_a_time(text: str, number: str | None) -> None:
    assert case_reference(text) == number


PROGRESS = ["已经联系上当事人了,明天上午九点到村委会对账", "刚打了电话,没人接", "上门走访了,双方情绪稳定",
            "还没办结,双方分歧较大", "双方未达成协议,明天继续调解", "正在协调,约了周五调解", "不用退回了,我们来办"]
RESOLVED = ["这事调解好了,双方签了协议,张家赔偿两千元", "已经处理完毕,双方握手言和", "已化解,双方互相道歉",
            "纠纷已解决,李家同意拆除违建", "双方达成调解协议,当场履行"]


@pytest.mark.parametrize("text", PROGRESS)
def test_an_officers_progress_in_ordinary_words(text: str) -> None:
    said = read_plain(text)
    assert said is not None and said.verb is TaskAction.PROGRESS and said.rest == text


@pytest.mark.parametrize("text", RESOLVED)
def test_an_officers_result_in_ordinary_words(text: str) -> None:
    said = read_plain(text)
    assert said is not None and said.verb is TaskAction.RESOLVE and said.rest == text


@pytest.mark.parametrize(("text", "days"), [
    ("当事人在外地打工,想申请延期三天", 3), ("能不能再给我两天时间,当事人住院了", 2),
    ("需要延长5个工作日,等鉴定结果", 5), ("当事人出差,推迟一天办理", 1),
])
def test_an_extension_in_ordinary_words(text: str, days: int) -> None:
    said = read_plain(text)
    assert said is not None and said.verb is TaskAction.EXTEND and said.days == days and said.rest == text


@pytest.mark.parametrize(("text", "reason"), [
    ("这个不归我们所管,退回", "这个不归我们所管"), ("退回,应由派出所处理", "应由派出所处理"),
    ("不属于我们司法所职责,请退回中心", "不属于我们司法所职责"), ("派错了,这是劳资纠纷", "派错了,这是劳资纠纷"),
])
def test_a_return_in_ordinary_words_keeps_its_reason(text: str, reason: str) -> None:
    said = read_plain(text)
    assert said is not None and said.verb is TaskAction.RETURN and said.rest == reason


@pytest.mark.parametrize("text", ["办结了", "这个已经办结", "退回", "请退回", "可以退回吗?", "能不能延期两天?",
                                  "申请延期3天", "再给我两天时间"])
def test_a_verb_without_its_text_is_asked_for(text: str) -> None:
    said = read_plain(text)
    assert said is not None and said.rest == ""


@pytest.mark.parametrize("text", [*ACKS, *THANKS, *GREETINGS, *CASE_QUESTIONS, "怎么上报?", "去了"])
def test_chatter_and_questions_are_no_task_reply(text: str) -> None:
    assert read_plain(text) is None


@pytest.mark.parametrize(("text", "names"), [
    ("村民张建国和李卫东因宅基地边界发生争执", ["张建国", "李卫东"]),
    ("张三与李四因借款纠纷", ["张三", "李四"]),
    ("张三和李四两家因院墙滴水吵架", ["张三", "李四"]),
    ("当事人王秀英反映邻居家漏水", ["王秀英"]),
    ("欧阳娜娜与丈夫刘强因离婚财产分割发生矛盾", ["欧阳娜娜", "刘强"]),
    ("马上要打起来了,张大山跟王小二在村口吵架", ["张大山", "王小二"]),
    ("村民张某与李某因过道宽窄发生争执", ["张某", "李某"]),
    ("张三家与李四家因排水沟堵塞吵架", ["张三", "李四"]),
    ("申请人陈美华,被申请人赵国强,双方因借款纠纷", ["陈美华", "赵国强"]),
    ("反映人孙小红称邻居钱大海占用过道", ["孙小红", "钱大海"]),
    ("王五、赵六两家因地界争吵", ["王五", "赵六"]),
    ("老王和老赵吵架,周某劝架", ["老王", "老赵", "周某"]),
    ("张建国和李卫东吵架,老张说不会让步", ["张建国", "李卫东"]),
    ("周边居民反映噪音扰民", []), ("村民高兴地说问题解决了", []), ("荷花村两户人家因为院墙滴水吵了好几天", []),
])
def test_parties_named_in_ordinary_phrasing(text: str, names: list[str]) -> None:
    assert party_names(text) == names


def test_every_report_of_the_intake_corpus_would_start_a_draft() -> None:
    """1,200+ reports as grid workers wrote them: none may be taken for chatter or a question."""
    missed = [e.text for e in corpus() if kind_of(e.text) is not Kind.DISPUTE]
    assert missed == []
