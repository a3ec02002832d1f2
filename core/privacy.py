"""Where a document goes decides what it may show of the parties (当事人): the org file's `privacy:`
setting for records kept inside the center, fixed rules for the rest.

- ARCHIVE: the case's own file (卷宗, its 登记表, 协议书) for its handlers and the archive: names in full.
- CENTER: records kept by the center (人民调解台账, batch 登记表 exports): names as `privacy.parties` says —
  full, surname (张**, the default) or hidden (当事人甲).
- LEADERS: bulletins (通报), meeting minutes and the dashboard: no party names at all.
- OUTSIDE: a 台账 or 登记表 spreadsheet that leaves the center (`maotiao report … --outside`): no party names,
  whatever the setting, and a 涉敏 case's content columns say only WITHHELD (its row and counts stay).
Phone and ID numbers are masked everywhere a document is generated.
"""

from __future__ import annotations

from enum import StrEnum

from core.models import Setting

PRIVACY_KEY = "privacy"
ORDINALS = "甲乙丙丁戊己庚辛壬癸"
WITHHELD = "涉敏,内容不外传"
OUTSIDE_MODE = "hidden"  # what leaves the center names no party


class Audience(StrEnum):
    ARCHIVE = "archive"
    CENTER = "center"
    LEADERS = "leaders"
    OUTSIDE = "outside"


async def party_mode(audience: Audience) -> str:
    if audience is Audience.ARCHIVE:
        return "full"
    if audience is Audience.OUTSIDE:
        return OUTSIDE_MODE
    if audience is Audience.LEADERS:
        return "hidden"
    row = await Setting.get_or_none(key=PRIVACY_KEY)
    mode = str((row.value if row else {}).get("parties") or "surname")
    return mode if mode in ("full", "surname", "hidden") else "surname"


def ordinal(i: int) -> str:
    return f"当事人{ORDINALS[i]}" if i < len(ORDINALS) else f"当事人{i + 1}"


def party_name(name: str, i: int, mode: str) -> str:
    """One party's name as `mode` shows it: 张三, 张*, 欧阳** (surname kept) or 当事人甲."""
    name = name.strip()
    if not name or mode == "hidden":
        return ordinal(i)
    if mode == "full":
        return name
    keep = 2 if len(name) >= 4 else 1  # 欧阳娜娜 → 欧阳**; compound surnames are the four-character names
    return name[:keep] + "*" * max(1, len(name) - keep)


def party_names(parties: list[dict[str, str]], mode: str) -> list[str]:
    return [party_name(str(p.get("name") or ""), i, mode) for i, p in enumerate(parties)]


def hide_names(text: str, parties: list[dict[str, str]], mode: str) -> str:
    """Replace each known party's name in free text by its shown form (longest names first)."""
    if mode == "full":
        return text
    named = [(str(p.get("name") or "").strip(), i) for i, p in enumerate(parties)]
    for name, i in sorted((n for n in named if len(n[0]) >= 2), key=lambda n: -len(n[0])):
        text = text.replace(name, party_name(name, i, mode))
    return text
