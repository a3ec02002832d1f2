"""The 浙政钉 gateway signature against vectors built by hand from the documented algorithm (the official
SDK's Signature class, quoted in integrations/zwdd/README.md): the string to sign is written out literally
here, its HMAC computed with the standard library, and the expected base64 pinned from `openssl dgst
-sha256 -hmac` — none of it uses the code under test."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlsplit

import httpx
import respx

from integrations.zwdd import sign
from integrations.zwdd.client import GatewayClient
from integrations.zwdd.config import load_zwdd

SECRET = "test-secret-不是真的"
STAMP = "2024-05-01T09:30:00.123+08:00"
NONCE = "17145271001234567891234"
MSG = '{"msgtype":"text","text":{"content":"请签收:任务 #12 邻里纠纷"}}'
# Parameters sorted by name, values as sent (NOT url-encoded), each line joined by "\n":
BY_HAND = ("POST\n" + STAMP + "\n" + NONCE + "\n/message/workNotification\n"
           "bizMsgId=maotiao-out-42&msg=" + MSG + "&receiverIds=77886370,77522062&tenantId=196729")
OPENSSL = "x/FvL/5Ytq/9QMamdJBagBUgW/31+TLGlW9vuGhTqYE="  # printf '…' | openssl dgst -sha256 -hmac … | base64


def _stdlib(secret: str, text: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), text.encode(), hashlib.sha256).digest()).decode()


def test_hand_built_vector_matches_openssl() -> None:
    assert _stdlib(SECRET, BY_HAND) == OPENSSL


def test_signer_builds_the_hand_written_string_and_signature() -> None:
    params = {"tenantId": "196729", "receiverIds": "77886370,77522062", "msg": MSG, "bizMsgId": "maotiao-out-42",
              "organizationCodes": ""}  # an empty value is neither sent nor signed
    pairs = sign.form_pairs(params)
    text = sign.string_to_sign("POST", STAMP, NONCE, "/message/workNotification", sign.canonical_params(pairs))
    assert text == BY_HAND
    assert sign.signature(SECRET, text) == OPENSSL
    headers = sign.signed_headers(api_key="maotiao-app", secret=SECRET, method="post", path="/message/workNotification",
                                  pairs=pairs, timestamp=STAMP, nonce=NONCE, ip="", mac="")
    assert headers == {"apiKey": "maotiao-app", "X-Hmac-Auth-Signature": OPENSSL, "X-Hmac-Auth-Timestamp": STAMP,
                       "X-Hmac-Auth-Version": "1.0", "X-Hmac-Auth-Nonce": NONCE}


def test_no_parameters_leaves_out_the_last_line_entirely() -> None:
    text = sign.string_to_sign("GET", STAMP, NONCE, "/gettoken.json", sign.canonical_params([]))
    assert text == "GET\n" + STAMP + "\n" + NONCE + "\n/gettoken.json"
    assert sign.signature("test-secret", text) == "mgJilFE3vr241X+m/esVgkRoEcf38J3vowQNuhEmfE8="


def test_names_sort_case_insensitively_and_merge_like_a_java_treemap() -> None:
    pairs = [("tenantId", "1"), ("appKey", "k"), ("Body", "b"), ("appkey", "j"), ("receivers", "2"), ("receivers", "10")]
    # appKey/appkey are one entry under the first spelling, values sorted; receivers sorted as strings
    assert sign.canonical_params(pairs) == "appKey=j&appKey=k&Body=b&receivers=10&receivers=2&tenantId=1"


def test_repeated_values_sort_by_utf16_code_unit_as_java_strings_do() -> None:
    # U+1F600 is the surrogate pair D83D DE00 in UTF-16, which sorts before U+FF5E (code points say the opposite)
    assert sign.canonical_params([("t", "\uff5e"), ("t", "😀")]) == "t=😀&t=\uff5e"


def test_form_pairs_repeat_lists_write_booleans_as_java_and_drop_blanks_and_control_bytes() -> None:
    pairs = sign.form_pairs({"closePackage": True, "ids": ["a", "b"], "blank": "  ", "none": None, "x": "a\x00b\x01c"})
    assert pairs == [("closePackage", "true"), ("ids", "a"), ("ids", "b"), ("x", "abc")]


def test_timestamp_is_china_time_with_milliseconds_and_offset() -> None:
    at = datetime(2024, 5, 1, 1, 30, 0, 123456, tzinfo=UTC)
    assert sign.format_timestamp(at) == STAMP
    assert sign.parse_timestamp(STAMP) == at.replace(microsecond=123000)
    assert sign.parse_timestamp("2024-05-01T09:30:00") is None  # no offset: ambiguous, refused


def test_nonces_are_digits_and_unique() -> None:
    nonces = {sign.new_nonce() for _ in range(2000)}
    assert len(nonces) == 2000 and all(n.isdigit() and len(n) >= 17 for n in nonces)


def test_robot_sign_is_dingtalks_custom_robot_scheme() -> None:
    assert sign.robot_sign("SECabc", 1714527000123) == _stdlib("SECabc", "1714527000123\nSECabc")


@respx.mock
async def test_the_client_puts_on_the_wire_what_it_signed() -> None:
    """The form body the client sends, parsed back, re-signs (by hand) to the signature header it sent."""
    settings = load_zwdd(app_key="maotiao-app", app_secret=SECRET, tenant_id="196729", sender_id="1",
                         api_base="https://gw.test/prefix")
    route = respx.post("https://gw.test/prefix/message/workNotification").mock(
        return_value=httpx.Response(200, json={"success": True, "content": {"msgId": "m1"}}))
    gateway = GatewayClient(settings, clock=lambda: 1714527000.123)
    await gateway.call("POST", "/message/workNotification", {"msg": MSG, "tenantId": "196729", "bizMsgId": "b 1"})
    request = route.calls.last.request
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    sent = parse_qsl(request.content.decode(), keep_blank_values=True)
    assert dict(sent) == {"msg": MSG, "tenantId": "196729", "bizMsgId": "b 1"}
    assert request.headers["X-Hmac-Auth-Timestamp"] == STAMP
    by_hand = ("POST\n" + STAMP + "\n" + request.headers["X-Hmac-Auth-Nonce"] + "\n" + urlsplit(str(request.url)).path
               + "\nbizMsgId=b 1&msg=" + MSG + "&tenantId=196729")
    assert "/prefix/message/workNotification\n" in by_hand
    assert request.headers["X-Hmac-Auth-Signature"] == _stdlib(SECRET, by_hand)
    await gateway.aclose()
