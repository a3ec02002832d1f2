"""WeCom (企业微信) self-built app: encrypted callbacks in, messages and template cards out."""

from core.enums import Platform

WECOM = Platform.chat("wecom")  # this package is the one place the value is declared
