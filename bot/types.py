"""The shared vocabulary between the bot and the platforms: what comes in, what goes out."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, Field

from core.enums import Platform
from core.transitions import TaskAction

MAX_TEXT = 4000  # longer messages are cut (with a note) before they reach a command
ACTION_MAX_BYTES = 200  # fits every platform's button key or parameter limit with room to spare


class InvalidAction(ValueError):
    """A card action payload that is malformed, oversized or unknown."""


class Act(StrEnum):
    """Every button the bot can draw, except the officer's task buttons: those are core's `TaskAction`
    members themselves (see `TASK_BUTTONS`), so a task action has one name from the button to the verb.
    Values are the wire format of buttons already sent in chats: never change them."""

    CONFIRM = "confirm"  # 确认上报
    EDIT = "edit"  # 修改
    SETTLE = "settle"  # 当场已调处
    CANCEL = "cancel"  # 取消
    ACCEPT_DISPATCH = "accept"  # 受理并交办
    REASSIGN = "reassign"  # 改派
    RETURN_REPORTER = "return_rep"  # 退回补充
    ESCALATE = "escalate"  # 上报上级
    APPROVE = "approve"  # 同意交办
    LEVEL_UP = "level_up"  # 提级处理
    EXT_YES = "ext_yes"  # 同意延期
    EXT_NO = "ext_no"  # 不同意延期
    SAME = "same"  # 是同一件事
    NOT_SAME = "new"  # 不是,新上报
    ATTEND = "attend"  # 参加
    LEAVE = "leave"  # 请假
    SATISFIED = "sat"  # 满意
    BASICALLY = "basic"  # 基本满意
    UNSATISFIED = "unsat"  # 不满意
    ADD_PARTNER = "add_dept"  # 追加部门 (联合调处)
    CHANGE_LEAD = "lead"  # 更换牵头
    PICK = "pick"  # 就是这件 (which case a plain reply is about)
    TASK_FORM = "tform"  # 设定任务: the center card turns into the six-field form (bot/cards/task_form.py)
    FORM_NEXT = "tform1"  # the form's first page submitted (执行人, 抄送人, 截止时间)
    FORM_DISPATCH = "tform2"  # the form submitted whole: dispatch with the chosen fields
    FORM_BACK = "tform0"  # 返回: the form becomes the center card again, nothing set


TASK_BUTTONS: tuple[TaskAction, ...] = (
    TaskAction.SIGN, TaskAction.PROGRESS, TaskAction.EXTEND, TaskAction.RETURN, TaskAction.RESOLVE,
)
ButtonAct: TypeAlias = Act | TaskAction  # what a button press names
_BY_WIRE: dict[str, ButtonAct] = {a.value: a for a in (*Act, *TASK_BUTTONS)}
if len(_BY_WIRE) != len(Act) + len(TASK_BUTTONS):
    raise RuntimeError("two button actions share a wire value")


def button_act(wire: str) -> ButtonAct:
    """The action a button's wire value names ("return" → TaskAction.RETURN)."""
    try:
        return _BY_WIRE[wire]
    except KeyError:
        raise InvalidAction(f"unknown action {wire!r}") from None


_ARG = re.compile(r"[0-9A-Za-z=;,._\-]{1,160}")


@dataclass(frozen=True)
class CardAction:
    """What a button means: an action on the card it sits on (the card link says which case/task), and for a
    form's buttons the choices it carries (`arg`, "k=v;k=v" of option ids: ASCII, bounded)."""

    act: ButtonAct
    link_id: int
    arg: str = ""

    def encode(self) -> str:
        return f"{self.act.value}:{self.link_id}" + (f":{self.arg}" if self.arg else "")

    @classmethod
    def decode(cls, raw: str) -> CardAction:
        if not isinstance(raw, str) or len(raw.encode("utf-8")) > ACTION_MAX_BYTES:
            raise InvalidAction("action payload missing or too long")
        act, sep, rest = raw.partition(":")
        link, _, arg = rest.partition(":")
        if not sep or not link.isdigit() or len(link) > 12:
            raise InvalidAction("action payload is not ACT:LINK")
        if arg and not _ARG.fullmatch(arg):
            raise InvalidAction("action argument is not of the allowed shape")
        return cls(button_act(act), int(link), arg)


@dataclass(frozen=True)
class Attachment:
    kind: Literal["image", "voice", "file", "video", "location"]
    ref: str = ""  # media id or URL on the platform
    text: str = ""  # speech-to-text for voice, address for a location


@dataclass(frozen=True)
class Inbound:
    """One message or click from a platform, already verified and parsed at the edge."""

    platform: Platform
    event_id: str
    sender: str  # the platform user id
    received_at: datetime
    text: str = ""
    conversation: str = ""
    is_group: bool = False
    attachments: tuple[Attachment, ...] = ()
    action: CardAction | None = None
    quoted_link_id: int | None = None  # a reply/quote of one of our cards
    card_token: str | None = None  # a platform token that lets us update the clicked card (a single-use response code)
    extra: dict[str, str] = field(default_factory=dict)
    selected: dict[str, list[str]] = field(default_factory=dict)  # a form's submitted choices: key → option ids


def inbound_from_payload(payload: dict[str, Any]) -> Inbound:
    """Rebuild an Inbound stored by the engine (to handle an event that was stored but not handled)."""
    data = dict(payload)
    data["platform"] = Platform(data["platform"])
    data["received_at"] = datetime.fromisoformat(data["received_at"])
    data["attachments"] = tuple(Attachment(**a) for a in data.get("attachments") or ())
    action = data.get("action")
    data["action"] = CardAction(button_act(action["act"]), int(action["link_id"]), str(action.get("arg") or "")
                                ) if action else None
    return Inbound(**data)


class Target(BaseModel):
    """Who a message is for: a staff member (on the platform they use) or a configured group."""

    kind: Literal["user", "group", "phone"] = "user"  # phone: an SMS to the staff member's mobile
    staff_id: int | None = None
    group_id: int | None = None
    platform: Platform | None = None  # None: the staff member's most recently used platform
    user_id: str | None = None  # a platform user who is not staff (e.g. to say they are not registered)
    avoid: list[Platform] = Field(default_factory=list)  # platforms that refused this person for good


class Button(BaseModel):
    label: str
    action: str  # CardAction.encode()
    style: Literal["primary", "default", "danger"] = "default"


class CardUrl(BaseModel):
    """A card line that opens a web page (an evidence file). Its URL is minted for the card's one recipient:
    a card with links is never sent to a group (bot/outbox.py strips them)."""

    label: str
    text: str
    url: str


class Select(BaseModel):
    """One drop-down of a form card: `key` names the choice, options are (id, text), ids ASCII and short."""

    key: str
    title: str
    options: list[tuple[str, str]]
    selected: str = ""


class Card(BaseModel):
    """A neutral interactive card; each platform renders it its own way. A card with `selects` is a form:
    a platform that draws drop-downs shows them and `submit`; one that does not shows `buttons` (presets)."""

    kind: str
    title: str
    subtitle: str = ""
    fields: list[tuple[str, str]] = Field(default_factory=list)
    buttons: list[Button] = Field(default_factory=list)
    note: str = ""
    links: list[CardUrl] = Field(default_factory=list)  # shown after the fields
    selects: list[Select] = Field(default_factory=list)
    submit: Button | None = None


class Outbound(BaseModel):
    """A message to send: text, markdown or a card; `card_link_id` ties a card to its stored link."""

    target: Target
    text: str = ""
    markdown: bool = False
    card: Card | None = None
    card_link_id: int | None = None
    update: bool = False  # re-render the card of `card_link_id` in place
    change: str = ""  # an update's one line of what changed, for a platform that cannot update in place any more
    urgent: bool = False  # 加急: the platform's strongest push where it has one
    urgent_via: Literal["app", "sms", "call"] = "app"  # how hard an urgent message insists, where the platform can
    sms_params: dict[str, str] = Field(default_factory=dict)  # a phone target's template parameters
    notice: bool = False  # a notice about a failed delivery (never itself reported when it fails)
    image_png_b64: str = ""  # a chart sent after the text (digests to groups)
    file_b64: str = ""  # a document sent as a file (调解协议书), named by file_name
    file_name: str = ""
