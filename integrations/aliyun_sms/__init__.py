"""Alibaba Cloud SMS (短信服务, dysmsapi `SendSms`) over httpx: the 提醒方式 短信 of a task. Not a chat platform: it
only sends, to the mobile the org file gives a person, a template whose parameters are a case number and its
category (never names or case content)."""
