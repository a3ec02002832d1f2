"""Documents as .docx (and .pdf through LibreOffice): 协议书, 三级四步登记表, 通报, 会议纪要, 卷宗.

`from bot import documents; documents.create(...)` keeps working: the 协议书 API lives in agreement.py.
"""

from bot.documents.agreement import KINDS, build_docx, create

__all__ = ["KINDS", "build_docx", "create"]
