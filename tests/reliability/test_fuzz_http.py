"""Fuzzing `serve` over HTTP, as a black box: the intake API from its own OpenAPI document (schemathesis),
the WeCom callback with junk and with well-signed nonsense (hypothesis), and bodies far too large.
Nothing answers 500; bad input is refused and changes nothing; huge bodies do not grow memory."""

from __future__ import annotations

import random
import string
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
import xmltodict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from schemathesis.generation import GenerationMode
from wechatpy.enterprise.crypto import WeChatCrypto

from integrations.sandbox.wecom_member import WeComMember
from tests.integrations.wecom_rig import AES_KEY, AGENT, CORP, TOKEN
from tests.reliability.serve_proc import API_KEY, ServeProcess, serve_process

CONFORMANCE = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
               checks.response_schema_conformance, checks.response_headers_conformance]
AUTH = {"Authorization": f"Bearer {API_KEY}"}
FUZZ = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServeProcess]:
    with serve_process(tmp_path_factory.mktemp("fuzz")) as proc:
        yield proc


def _operations(serve: ServeProcess) -> list[Any]:
    schema = schemathesis.openapi.from_url(f"{serve.base}/api/v1/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


def test_api_valid_requests_never_fail_and_match_the_document(serve: ServeProcess) -> None:
    for operation in _operations(serve):
        @FUZZ
        @given(case=operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
        def check(case: Any) -> None:
            response = case.call(base_url=serve.base, headers=AUTH)
            assert response.status_code < 500, (case.body, response.text)
            # every documented property of the answer; not "valid data is accepted": a schema-valid place
            # the organisation does not know is rightly refused with 422 naming `location`
            case.validate_response(response, checks=CONFORMANCE)

        check()


def test_api_invalid_requests_are_refused_and_change_nothing(serve: ServeProcess) -> None:
    for operation in _operations(serve):
        @FUZZ
        @given(case=operation.as_strategy(generation_mode=GenerationMode.NEGATIVE))
        def check(case: Any) -> None:
            before = serve.state()
            response = case.call(base_url=serve.base, headers=AUTH)
            assert 400 <= response.status_code < 500, (case.body, response.status_code, response.text)
            body = response.json()
            assert body["error"] and body["message"]
            assert serve.state() == before

        check()


def test_api_without_a_key_is_refused(serve: ServeProcess) -> None:
    before = serve.state()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}):
        resp = httpx.post(f"{serve.base}/api/v1/cases", json={"content": "邻居吵架", "location": "荷花村"},
                          headers=headers)
        assert resp.status_code == 401 and resp.json()["error"]
    assert serve.state() == before


_text = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)


@FUZZ
@given(params=st.dictionaries(st.sampled_from(["msg_signature", "timestamp", "nonce", "echostr", "x"]), _text),
       body=st.binary(max_size=2000) | _text.map(str.encode))
def test_wecom_callback_junk_is_refused_and_changes_nothing(serve: ServeProcess, params: dict[str, str],
                                                             body: bytes) -> None:
    before = serve.state()
    resp = httpx.post(f"{serve.base}/wecom/callback", params=params, content=body)
    assert resp.status_code in (400, 403), resp.text
    assert serve.state() == before


def _xml_value(draw: st.DrawFn) -> str:
    return draw(st.one_of(_text, st.integers().map(str), st.just(""), st.sampled_from(["<", "]]>", "&amp;"])))


@st.composite
def _inner_xml(draw: st.DrawFn) -> str:
    """What WeCom could put inside the encryption: well- or ill-formed, known or unknown message kinds."""
    tags = ["ToUserName", "FromUserName", "CreateTime", "MsgType", "Content", "MsgId", "AgentID", "Event",
            "EventKey", "TaskId", "CardType", "ResponseCode", "PicUrl", "MediaId", "Recognition", "Label"]
    fields = {t: _xml_value(draw) for t in draw(st.lists(st.sampled_from(tags), unique=True, max_size=10))}
    if draw(st.booleans()):
        fields["MsgType"] = draw(st.sampled_from(["text", "image", "voice", "event", "location", "link", "x"]))
    if draw(st.booleans()):
        fields["FromUserName"] = draw(st.sampled_from(["zhouxm", "linx", "nobody", ""]))
    if draw(st.booleans()):
        fields["MsgId"] = str(draw(st.integers(min_value=-5, max_value=10**20)))
    cdata = draw(st.booleans())
    inner = "".join(f"<{k}><![CDATA[{v}]]></{k}>" if cdata else f"<{k}>{v}</{k}>" for k, v in fields.items())
    return draw(st.sampled_from(["<xml>{}</xml>", "{}", "<xml>{}", "<root>{}</root>"])).format(inner)


@FUZZ
@given(xml=_inner_xml())
def test_wecom_callback_signed_nonsense_never_breaks_serve(serve: ServeProcess, xml: str) -> None:
    member = WeComMember(CORP, AGENT, TOKEN, AES_KEY, f"{serve.base}/wecom/callback", httpx.AsyncClient())
    params, body = member.encrypt(xml)
    before = serve.state()
    resp = httpx.post(f"{serve.base}/wecom/callback", params=params, content=body.encode())
    assert resp.status_code in (200, 400), (xml, resp.status_code, resp.text)
    if resp.status_code == 400:
        assert serve.state() == before


def test_wecom_callback_from_another_corp_is_refused(serve: ServeProcess) -> None:
    other = WeChatCrypto(TOKEN, AES_KEY, "wwsomeoneelse")
    nonce, ts = "".join(random.choices(string.ascii_letters, k=10)), str(int(time.time()))
    encrypted = xmltodict.parse(other.encrypt_message("<xml><MsgType>text</MsgType></xml>", nonce, ts))["xml"]
    params = {"msg_signature": encrypted["MsgSignature"], "timestamp": ts, "nonce": nonce}
    before = serve.state()
    resp = httpx.post(f"{serve.base}/wecom/callback", params=params,
                      content=f"<xml><Encrypt><![CDATA[{encrypted['Encrypt']}]]></Encrypt></xml>".encode())
    assert resp.status_code == 403
    assert serve.state() == before


def test_huge_bodies_are_refused_without_growing_memory(serve: ServeProcess) -> None:
    big = b"x" * (8 * 1024 * 1024)

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(big), 65536):
            yield big[i:i + 65536]

    callback = f"/wecom/callback?msg_signature={'0' * 40}&timestamp={int(time.time())}&nonce=b"  # well-formed and fresh: the body is read
    for path in (callback, "/api/v1/cases"):  # warm up both paths
        httpx.post(serve.base + path, content=b"{}", headers=AUTH)
    start = serve.rss_kib()
    for _ in range(10):
        for path in (callback, "/api/v1/cases"):
            for content in (big, chunks()):  # with a Content-Length, and chunked without one
                before = serve.state()
                resp = httpx.post(serve.base + path, content=content, headers=AUTH, timeout=30)
                assert resp.status_code == 413, (path, resp.status_code, resp.text)
                if path.startswith("/api/"):
                    assert resp.json()["error"] == "too_large"
                assert serve.state() == before
    grown = serve.rss_kib() - start
    assert grown < 40 * 1024, f"serve grew by {grown} KiB after 40 bodies of 8 MiB"
    assert httpx.get(f"{serve.base}/healthz").status_code == 200
