"""The official DingTalk SDK (alibabacloud-dingtalk) as an oracle: our requests carry what its request models
carry, and the fake answers in the shape its response models read."""

from __future__ import annotations

import json

import httpx
import pytest
import respx

from integrations.dingtalk.api import DingTalkAPI
from integrations.dingtalk.config import load_dingtalk

robot = pytest.importorskip("alibabacloud_dingtalk.robot_1_0.models")
BASE = "https://oracle.test"


@pytest.fixture
def api() -> DingTalkAPI:
    return DingTalkAPI(load_dingtalk(client_id="c", client_secret="s", robot_code="r", card_template_id="t",
                                     api_base=BASE))


@respx.mock
async def test_media_download_and_ding_requests_match_the_sdk(api) -> None:
    respx.post(BASE + "/v1.0/oauth2/accessToken").mock(return_value=httpx.Response(200, json={"accessToken": "T"}))
    download = respx.post(BASE + "/v1.0/robot/messageFiles/download").mock(
        return_value=httpx.Response(200, json={"downloadUrl": "https://files.test/x"}))
    respx.get("https://files.test/x").mock(return_value=httpx.Response(200, content=b"img",
                                                                       headers={"content-type": "image/jpeg"}))
    ding = respx.post(BASE + "/v1.0/robot/ding/send").mock(
        return_value=httpx.Response(200, json={"openDingId": "d1", "failedList": {}}))
    assert await api.download("CODE") == (b"img", "image/jpeg")
    await api.ding(["u1"], "加急")
    ours = json.loads(download.calls[0].request.content)
    sdk = robot.RobotMessageFileDownloadRequest(download_code="CODE", robot_code="r").to_map()
    assert ours == sdk
    sdk_ding = robot.RobotSendDingRequest(robot_code="r", receiver_user_id_list=["u1"], content="加急",
                                          remind_type=1).to_map()
    assert json.loads(ding.calls[0].request.content) == sdk_ding


async def test_the_fakes_batch_send_answer_reads_as_the_sdk_reads_it(org, domain) -> None:
    from tests.integrations.dingtalk_rig import dingtalk_rig

    async with dingtalk_rig(domain) as rig:
        rig.fake.filtered.add("dt2001")
        rig.fake.throttle["dt2101"] = 1
        api = rig.registry.get(rig.registry.platforms[0]).api
        answer = await api.send_to_users(["dt1001", "dt2001", "dt2101"], "sampleText", {"content": "x"})
        body = robot.BatchSendOTOResponseBody().from_map(answer)
        assert body.filtered_staff_id_list == ["dt2001"] and body.flow_controlled_staff_id_list == ["dt2101"]
        assert body.process_query_key
