"""No secret reaches a log line: redaction installed at process start by every command (serve, worker, CLI).

httpx logs every request's URL at INFO, and WeCom and DingTalk's older API put secrets in the query
(`gettoken?corpsecret=…`, `?access_token=…`, `gettoken?appkey=…&appsecret=…`, the Stream `?ticket=…`).
Three rules, applied to the formatted message, the traceback and the stack of every record:
  - query parameters and JSON/dict/header fields named like a secret (access_token, corpsecret, appsecret,
    clientSecret, ticket, x-acs-dingtalk-access-token, …) keep their name and lose their value;
  - `Bearer …` / `Basic …` credentials;
  - the configured secrets themselves (WECOM_SECRET, WECOM_TOKEN, WECOM_AES_KEY, DINGTALK_CLIENT_SECRET,
    the API keys, the audit key), wherever they appear.
Then the names of 重点人员 this process has handled (core.masking.remember_names), as typed or JSON-escaped,
and personal numbers: phone, ID and card numbers in every format core.masking knows (full-width, Chinese
numerals, +86, spaced or dotted groups …) are masked by that same masker, also when a log line carries them
as escapes (tortoise logs SQL values as a list's repr and JSON fields ensure_ascii: `\\u4e00\\u4e09…`,
`\\uff11…`). A line without a run of seven digits costs one regex scan; a masker failure blanks every digit.
A logging.Filter sees only the records of the handler or logger it sits on, so the redaction runs in the
log record factory, which builds every record of the process, whoever logs it and whichever handler
(present or added later, propagating or not) writes it; the same filter also sits on the root handlers.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from typing import Any

from core.masking import DIGIT_CHARS, NUMBER_CHARS, mask_names, mask_numbers, may_hold_numbers

MASK = "***"
MIN_KNOWN = 8  # shorter configured values are too likely to be ordinary words
# Field names that hold a secret wherever they appear (JSON bodies, dict reprs, headers) ...
_FIELDS = (r"access_?token|corp_?secret|app_?secret|client_?secret|suite_?secret|secret|ticket|password|passwd|"
           r"encoding_?aes_?key|aes_?key|api_?key|x-acs-dingtalk-access-token|token")
# ... and in a URL's query also these (a group robot's `key`, a webhook's `sign`, an OAuth `code`).
_QUERY = re.compile(rf"(?i)([?&;](?:{_FIELDS}|key|sign|code)=)[^&\s\"'<>#]+")
_FIELD = re.compile(rf"(?i)([\"']?\b(?:{_FIELDS})\b[\"']?\s*[:=]\s*[\"']?)(?!{re.escape(MASK)})[^\"'\s,}}&)]+")
_CREDENTIAL = re.compile(r"(?i)\b(bearer|basic)\s+(?!\*\*\*)[A-Za-z0-9._~+/=\-]+")
# An escaped character, also with its backslash escaped again (a JSON string inside a repr).
_ESCAPE = re.compile(r"\\+(?:u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2}))")
# Not personal, kept as they are: an access log's status after the request line (with the response size it
# would read as an 8-digit phone), a case number in an API path, IPv4 addresses, and hashes and signatures
# (lowercase hex of 32 characters or more, whose digit runs would otherwise be cut). ASCII digits only.
_KEEP = re.compile(r'(HTTP/[0-9](?:\.[0-9])?" [1-5][0-9]{2}(?![0-9])|/cases/[0-9]{4}-[0-9]{1,6}(?![0-9])'
                   r"|(?<![0-9.])[0-9]{1,3}(?:\.[0-9]{1,3}){3}(?![0-9.])"
                   r"|(?<![0-9A-Za-z])(?=[0-9]*[a-f])[0-9a-f]{32,}(?![0-9A-Za-z]))")
_lock = threading.Lock()
_known: list[str] = []
_installed = False


def register(*values: str | None) -> None:
    """Configured secrets to blank out verbatim (longest first, so one inside another goes whole)."""
    with _lock:
        for value in values:
            if value and len(value) >= MIN_KNOWN and value not in _known:
                _known.append(value)
        _known.sort(key=len, reverse=True)


def _unescaped(match: re.Match[str]) -> str:
    char = chr(int(match.group(1) or match.group(2), 16))
    return char if char in NUMBER_CHARS else match.group(0)


def mask_personal_numbers(text: str) -> str:
    """core.masking's mask_numbers, reading escaped digits and separators first (the line stays escaped when
    it holds no number). Fails closed: should the masker raise, no digit of the line is left."""
    try:
        plain = _ESCAPE.sub(_unescaped, text) if "\\" in text else text
        if not may_hold_numbers(plain):  # most lines: one regex scan
            return text
        pieces = _KEEP.split(plain)
        masked = "".join(p if i % 2 else mask_numbers(p) for i, p in enumerate(pieces))
    except Exception:  # never break the caller's log call, never let a number through
        return "".join("*" if c in DIGIT_CHARS else c for c in text)
    return text if masked == plain else masked


def redact(text: str) -> str:
    for secret in _known:
        if secret in text:
            text = text.replace(secret, MASK)
    text = _QUERY.sub(rf"\1{MASK}", text)
    text = _FIELD.sub(rf"\1{MASK}", text)
    text = _CREDENTIAL.sub(rf"\1 {MASK}", text)
    return mask_personal_numbers(mask_names(text))


def redact_record(record: logging.LogRecord) -> None:
    if getattr(record, "_redacted", False):
        return
    record._redacted = True
    try:
        message = record.getMessage()
    except Exception:  # a broken format string: the handler reports it as logging always did
        return
    clean = redact(message)
    if clean != message:
        record.msg, record.args = clean, ()
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


def install() -> None:
    """Once per process: every record is redacted as it is made."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
        previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        redact_record(record)
        return record

    logging.setLogRecordFactory(factory)


def configure(level: str, secrets: Iterable[str | None] = ()) -> None:
    """Log format, level, and redaction on every handler, for every command."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install()
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
    register(*secrets)
