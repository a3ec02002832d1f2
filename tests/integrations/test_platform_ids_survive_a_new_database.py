"""The ids we give a platform for a message (WeCom's card task_id, DingTalk's outTrackId, 浙政钉's bizMsgId) are
unique per app on the platform, for ever (WeCom 94888: task_id unique per app, 42014 once used). They derive
from the outbox row, so a database made anew — a county starting over with the same app, or restored from a
backup taken before its last cards — reuses row ids the app has already sent under; the ids must still be
new then, while staying the same on every retry of one row (so the platform can drop a repeat)."""

from __future__ import annotations

from datetime import timedelta

from core.clock import ManualClock
from core.models import OutboxMessage
from core.services.base import Domain
from scheduler.delivery import deliver_due
from tests.integrations.wecom_rig import wecom_rig

REPORT = "荷花村两户人家因为院墙滴水吵了好几天"


async def test_a_card_sent_again_under_a_reused_row_id_is_not_refused_as_a_used_task_id(
        org: None, domain: Domain, clock: ManualClock) -> None:
    async with wecom_rig(domain) as rig:
        await rig.say("zhouxm", REPORT)
        first = await OutboxMessage.get(status="sent")
        assert len(rig.fake.card_messages("zhouxm")) == 1
        # What a restored backup (or a new database) does: the same row id, written again later.
        await OutboxMessage.filter(id=first.id).delete()
        clock.advance(timedelta(minutes=10))
        await OutboxMessage.create(id=first.id, payload=first.payload, card_link_id=first.card_link_id,
                                   created_at=clock.now(), next_attempt_at=clock.now())
        await deliver_due(rig.registry, clock)
        again = await OutboxMessage.get(id=first.id)
        assert again.status == "sent", again.last_error
        cards = rig.fake.card_messages("zhouxm")
        assert len(cards) == 2 and cards[0].body["task_id"] != cards[1].body["task_id"]
