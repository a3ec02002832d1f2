"""Attacks on the WeCom callback URL: work done before the signature is checked, the GET as a decryption
oracle, and garbage that used to answer 500 with a traceback. Real wechatpy crypto throughout."""

from __future__ import annotations

import logging
import time

import pytest
import xmltodict

from core.models import InboundEvent
from integrations.sandbox.wecom_member import WeComMember
from tests.integrations.wecom_rig import wecom_rig

CALLBACK_LOGGER = "integrations.wecom.callback"


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Every XML parse, wherever it happens (our inbound parser, wechatpy's envelope parser)."""
    calls: list[int] = []
    real = xmltodict.parse

    def spy(xml, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(len(xml))
        return real(xml, *args, **kwargs)

    monkeypatch.setattr(xmltodict, "parse", spy)
    return calls


def _fresh(**extra: str) -> dict[str, str]:
    return {"msg_signature": "0" * 40, "timestamp": str(int(time.time())), "nonce": "abc123", **extra}


async def test_unsigned_body_is_never_parsed(org, domain, parse_calls: list[int]) -> None:
    """The signature covers the Encrypt field; it is checked before any XML is parsed."""
    async with wecom_rig(domain) as rig:
        m = rig.member
        params, body = m.encrypt(m.text_xml("zhouxm", "邻居吵架"))
        params["msg_signature"] = "f" * 40
        padding = "<Pad>" + "x" * 30_000 + "</Pad>"
        parse_calls.clear()  # the member's own encryption parsed its envelope
        resp = await m.client.post(m.callback_url, params=params, content=body.replace("</xml>", padding + "</xml>"))
        assert resp.status_code == 403
        assert parse_calls == []
        assert await InboundEvent.all().count() == 0


async def test_a_megabyte_body_is_refused_before_it_is_read(org, domain, parse_calls: list[int]) -> None:
    async with wecom_rig(domain) as rig:
        m = rig.member
        body = "<xml><Encrypt><![CDATA[" + "A" * (1024 * 1024) + "]]></Encrypt></xml>"
        resp = await m.client.post(m.callback_url, params=_fresh(), content=body)
        assert resp.status_code == 413
        assert parse_calls == []


async def test_signed_messages_still_arrive(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        resp = await rig.say("zhouxm", "荷花村两户人家因为院墙滴水吵了好几天")
        assert resp is not None and resp.status_code == 200
        assert rig.card("zhouxm", "确认上报")


async def test_a_captured_post_replayed_as_get_decrypts_nothing(org, domain) -> None:
    """The decryption oracle: POST's signature, timestamp and nonce with echostr=<its Encrypt>."""
    async with wecom_rig(domain) as rig:
        m = rig.member
        secret_text = "当事人电话13800138000"
        params, body = m.encrypt(m.text_xml("zhouxm", secret_text))
        encrypt = xmltodict.parse(body)["xml"]["Encrypt"]
        resp = await m.client.get(m.callback_url, params={**params, "echostr": encrypt})
        assert resp.status_code in (400, 403)
        assert "13800138000" not in resp.text and "<xml>" not in resp.text


async def test_url_verification_has_the_same_time_window(org, domain) -> None:
    from wechatpy.crypto import _get_signature
    from wechatpy.enterprise.crypto import PrpCrypto

    async with wecom_rig(domain) as rig:
        m = rig.member
        stale = str(int(time.time()) - 3600)
        echostr = PrpCrypto(m.crypto.key).encrypt("4470683519467436556", m.corp_id).decode()
        sig = _get_signature(m.token, stale, "n0nce", echostr)
        resp = await m.client.get(m.callback_url, params={"msg_signature": sig, "timestamp": stale, "nonce": "n0nce",
                                                          "echostr": echostr})
        assert resp.status_code == 403 and "4470683519467436556" not in resp.text
        ok = await m.verify_url()  # a fresh, well-formed verification still works
        assert ok.status_code == 200 and ok.text == ok.extensions["expected"]


@pytest.mark.parametrize("case", ["superscript_timestamp", "huge_timestamp", "non_utf8_body", "empty_body",
                                  "two_encrypts", "bad_signature_format", "long_nonce"])
async def test_unsigned_garbage_is_a_400_with_one_log_line(org, domain, caplog: pytest.LogCaptureFixture,
                                                            case: str) -> None:
    async with wecom_rig(domain) as rig:
        m = rig.member
        params, body = m.encrypt(m.text_xml("zhouxm", "邻居吵架"))
        content = body.encode()
        if case == "superscript_timestamp":
            params["timestamp"] = "²"
        elif case == "huge_timestamp":
            params["timestamp"] = "9" * 400
        elif case == "non_utf8_body":
            content = b"\xff\xfe<xml>\x80\x81</xml>"
        elif case == "empty_body":
            content = b""
        elif case == "two_encrypts":
            content = body.replace("</xml>", "<Encrypt>QUFB</Encrypt></xml>").encode()
        elif case == "bad_signature_format":
            params["msg_signature"] = "not hex ²"
        elif case == "long_nonce":
            params["nonce"] = "n" * 5000
        caplog.clear()
        with caplog.at_level(logging.INFO):
            resp = await m.client.post(m.callback_url, params=params, content=content)
        assert resp.status_code in (400, 403, 413), resp.text
        ours = [r for r in caplog.records if r.name == CALLBACK_LOGGER]
        assert len(ours) == 1, [r.getMessage() for r in caplog.records]
        assert not any(r.exc_info for r in caplog.records), "a traceback was logged"
        assert await InboundEvent.all().count() == 0


@pytest.mark.parametrize("inner", [
    # overflowing CreateTime inside a correctly signed message
    "<xml><ToUserName>c</ToUserName><FromUserName>zhouxm</FromUserName><CreateTime>99999999999999999999</CreateTime>"
    "<MsgType>text</MsgType><Content>x</Content><MsgId>1</MsgId></xml>",
    # a card click whose EventKey is not ours
    "<xml><ToUserName>c</ToUserName><FromUserName>zhouxm</FromUserName><CreateTime>1800000000</CreateTime>"
    "<MsgType>event</MsgType><Event>template_card_event</Event><EventKey>rm -rf:²</EventKey>"
    "<TaskId>t1</TaskId></xml>",
])
async def test_signed_but_unusable_is_acknowledged_with_one_log_line(org, domain, caplog: pytest.LogCaptureFixture,
                                                                      inner: str) -> None:
    """WeCom retries anything but a 200 three times; a signed message we cannot use will not improve."""
    async with wecom_rig(domain) as rig:
        caplog.clear()
        with caplog.at_level(logging.INFO):
            resp = await rig.member.post(inner, retries=0)
        assert resp is not None and resp.status_code == 200 and resp.text == ""
        ours = [r for r in caplog.records if r.name == CALLBACK_LOGGER]
        assert len(ours) == 1 and ours[0].levelno == logging.WARNING, [r.getMessage() for r in caplog.records]
        assert not any(r.exc_info for r in caplog.records)
        assert await InboundEvent.all().count() == 0


async def test_a_message_from_another_corp_is_refused(org, domain) -> None:
    async with wecom_rig(domain) as rig:
        other = WeComMember("wwOTHER", 1, rig.member.token, rig.member.aes_key, rig.member.callback_url,
                            rig.member.client)
        resp = await other.post(other.text_xml("zhouxm", "伪造"), retries=0)
        assert resp is not None and resp.status_code == 403
        assert await InboundEvent.all().count() == 0
