"""浙政钉 待办 as a task's mirror: created once per task, moved when the deadline moves, finished when done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiohttp.test_utils import TestServer

from bot.channel import MirroredTask, MirrorTarget
from integrations.sandbox.zwdd import FakeZwdd
from integrations.zwdd.api import ZwddAPI
from integrations.zwdd.config import load_zwdd
from integrations.zwdd.sandbox import AnyAccount
from integrations.zwdd.todo import mirror

DUE = datetime(2026, 12, 10, 9, tzinfo=UTC)


def _task(due: datetime = DUE, done: bool = False, url: str = "https://c.example/case?token=t") -> MirroredTask:
    return MirroredTask(source_id="task-7", subject="【待签收】2026-0007 邻里纠纷", description="司法所", due=due,
                        done=done, detail_url=url)


async def test_a_task_is_one_todo_moved_with_its_deadline_and_finished_with_it() -> None:
    fake = FakeZwdd("k", "s" * 32, "196729", users=AnyAccount())
    async with TestServer(fake.app(), host="127.0.0.1") as server:
        api = ZwddAPI(load_zwdd(app_key="k", app_secret="s" * 32, tenant_id="196729", sender_id="10001",
                                api_base=str(server.make_url("")).rstrip("/")))
        try:
            first = await mirror(api, MirrorTarget("82106", None, None), _task())
            retry = await mirror(api, MirrorTarget("82106", None, None, retry=True), _task())  # answer was lost
            assert first.ok and retry.ref == first.ref and len(fake.todos) == 1
            calls = len(fake.nonces)
            same = await mirror(api, MirrorTarget("82106", None, first.ref), _task())
            assert same.ref == first.ref and len(fake.nonces) == calls  # nothing changed: nothing called
            moved = await mirror(api, MirrorTarget("82106", None, first.ref), _task(DUE + timedelta(days=3)))
            assert moved.ok and moved.ref != first.ref
            assert [t["status"] for t in fake.todos.values()] == ["cancelled", "todo"]
            done = await mirror(api, MirrorTarget("82106", None, moved.ref), _task(DUE + timedelta(days=3), True))
            again = await mirror(api, MirrorTarget("82106", None, moved.ref), _task(DUE + timedelta(days=3), True))
            assert done.ok and again.ok and fake.open_todos("82106") == []
            no_page = await mirror(api, MirrorTarget("82106", None, None), _task(url=""))
            assert not no_page.ok and no_page.permanent
        finally:
            await api.aclose()
