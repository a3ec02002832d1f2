"""The JSON intake API's request and response bodies (12345 hotline, 基层治理四平台, other systems)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from core.enums import Category, Flag, Severity
from core.text import visible


def _shown(value: str) -> str:
    if not visible(value):
        raise ValueError("只有空白或不可见字符")
    return value

ApiSource = Literal["hotline_12345", "walk_in", "petition", "referral"]


class PartyIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    id_number: str | None = Field(default=None, max_length=32)
    role: str | None = Field(default=None, max_length=32, description="申请人 / 被申请人 / …")

    _name = field_validator("name")(_shown)


class ReporterIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1, max_length=64)
    phone: str | None = Field(default=None, max_length=32)

    _name = field_validator("name")(_shown)


class CaseIn(BaseModel):
    """A dispute handed to the center by another system."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    source: ApiSource = "hotline_12345"
    external_id: str | None = Field(default=None, max_length=128,
                                    description="the sender's id; re-sending it is a no-op; blank is as absent")
    content: str = Field(min_length=1, max_length=5000, description="诉求内容")
    location: str = Field(min_length=1, max_length=200, description="a region's name or path, e.g. 茶园乡/荷花村")
    location_text: str = Field(default="", max_length=200, description="address as written")
    category: Category = Category.OTHER
    severity: Severity = Severity.GENERAL
    flags: list[Flag] = Field(default_factory=list, max_length=3)
    people: int | None = Field(default=None, ge=1, le=1_000_000)
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)
    reporter: ReporterIn | None = None
    partner: str | None = Field(default=None, min_length=1, max_length=64,
                                description="委派: the partner body that referred the case (人民法院, 派出所, 信访局 …, "
                                            "as the center's org file names them); the case's source is then 委派调解")
    partner_deadline: date | None = Field(default=None, description="委派: the partner's deadline (a day, 18:00 "
                                                                    "Beijing time); bounds the case's tasks")

    _content = field_validator("content")(_shown)

    @model_validator(mode="after")
    def _deadline_needs_partner(self) -> CaseIn:
        if self.partner_deadline is not None and self.partner is None:
            raise ValueError("partner_deadline 需要同时给出 partner(委派单位)")
        return self

    @field_validator("external_id")
    @classmethod
    def _blank_is_absent(cls, value: str | None) -> str | None:
        return value or None  # "" (after stripping) would be one id shared by every blank post


class TaskOut(BaseModel):
    assignee: str
    status: str
    deadline: str


class CaseOut(BaseModel):
    number: str
    status: str
    status_label: str
    source: str
    category: str
    severity: str
    flags: list[str]
    location: str
    step: str
    created_at: str
    result_type: str | None
    result_note: str
    tasks: list[TaskOut]
    referrals: list[str] = Field(default_factory=list, description="诉调对接 and 司法确认, as the case page shows them")


class ErrorOut(BaseModel):
    error: str
    message: str
    field: str | None = None
