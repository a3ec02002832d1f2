"""The fake DingTalk's 待办 (to-do) API and the userId → unionId lookup, refusing what DingTalk documents.

Sources, rule by rule:
- `alibabacloud-dingtalk` todo_1_0 (CreateTodoTask, UpdateTodoTask, GetTodoTaskBySourceId): the paths, the
  bodies, `subject` the one required field of a create ("This parameter is required"), `dueTime` epoch ms,
  `detailUrl` {appUrl, pcUrl}, the answer's `id`, `sourceId`, `done`.
- PLATFORMS.md ("待办"): the to-do API takes unionIds (path and executorIds), not userIds.
- `POST /topapi/v2/user/get {userid}` on the older host → {errcode: 0, result: {unionid, userid, …}}; an unknown
  user is errcode 60121 "找不到该用户" (DingTalk's server error codes); errors come as HTTP 200 with errcode.
- Assumed (not documented): an unknown unionId is HTTP 400 `param.unionId` invalid; a second create with a
  sourceId this person already has is HTTP 400 (the client never relies on it: it looks the copy up by sourceId
  before creating again); no copy for a sourceId is HTTP 404.
"""

from __future__ import annotations

import itertools
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"code": code, "message": message, "requestid": secrets.token_hex(8)}, status=status)


@dataclass(kw_only=True)
class FakeTodo:
    todos: dict[str, dict[str, Any]] = field(default_factory=dict)  # to-do id → {union, body…, done}
    unions: dict[str, str] = field(default_factory=dict)  # userId → unionId, handed out by the lookup
    lookups: int = 0
    todo_requests: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)  # (method, path, body)
    lookup_busy: int = 0  # answer this many lookups with errcode -1 系统繁忙 (a transient failure)
    _todo_ids: Any = field(default_factory=lambda: itertools.count(1))

    def _authorized(self, request: web.Request) -> web.Response | None:  # the API's own check (dingtalk_api)
        raise NotImplementedError

    def known(self, user: str) -> bool:
        raise NotImplementedError

    def _oapi_token_ok(self, request: web.Request) -> bool:
        raise NotImplementedError

    def _oapi_metered(self) -> web.Response | None:
        raise NotImplementedError

    def todo_routes(self, app: web.Application) -> None:
        app.router.add_post("/topapi/v2/user/get", self.user_get)
        app.router.add_post("/v1.0/todo/users/{union}/tasks", self.todo_create)
        app.router.add_put("/v1.0/todo/users/{union}/tasks/{task}", self.todo_update)
        app.router.add_get("/v1.0/todo/users/{union}/tasks/sources/{source}", self.todo_by_source)

    def union_of(self, user: str) -> str:
        return self.unions.setdefault(user, f"union{secrets.token_hex(6)}")

    async def user_get(self, request: web.Request) -> web.Response:
        if not self._oapi_token_ok(request):
            return web.json_response({"errcode": 40014, "errmsg": "不合法的access_token"})
        if (refused := self._oapi_metered()) is not None:
            return refused
        self.lookups += 1
        if self.lookup_busy:
            self.lookup_busy -= 1
            return web.json_response({"errcode": -1, "errmsg": "系统繁忙"})
        body = await request.json()
        user = str(body.get("userid") or "")
        if not self.known(user):
            return web.json_response({"errcode": 60121, "errmsg": "找不到该用户"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "result": {
            "userid": user, "unionid": self.union_of(user), "name": user, "active": True}})

    def _union(self, request: web.Request) -> str | None:
        union = request.match_info["union"]
        return union if union in self.unions.values() else None

    @staticmethod
    def _problem(body: dict[str, Any], *, create: bool) -> str | None:
        if create and not (isinstance(body.get("subject"), str) and body["subject"].strip()):
            return "subject is required"
        if "dueTime" in body and not isinstance(body["dueTime"], int):
            return "dueTime must be epoch milliseconds"
        if "done" in body and not isinstance(body["done"], bool):
            return "done must be a boolean"
        url = body.get("detailUrl")
        if url is not None and not (isinstance(url, dict) and all(isinstance(url.get(k), str) for k in ("appUrl", "pcUrl"))):
            return "detailUrl must be {appUrl, pcUrl}"
        return None

    async def todo_create(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        union = self._union(request)
        body = await request.json()
        self.todo_requests.append((request.method, request.path, body))
        if union is None:
            return _error(400, "param.unionId", "unionId invalid")
        problem = self._problem(body, create=True)
        executors = body.get("executorIds") or []
        if problem is None and not all(e in self.unions.values() for e in executors):
            problem = "executorIds must be unionIds of this org"
        if problem is not None:
            return _error(400, "InvalidParameter", problem)
        source = str(body.get("sourceId") or "")
        if source and any(t["union"] == union and t.get("sourceId") == source for t in self.todos.values()):
            return _error(400, "InvalidParameter", "sourceId already exists")
        todo_id = f"task{next(self._todo_ids)}{secrets.token_hex(4)}"
        now = int(time.time() * 1000)
        self.todos[todo_id] = {**body, "union": union, "id": todo_id, "done": False, "createdTime": now, "updates": 0}
        return web.json_response({"id": todo_id, "subject": body["subject"], "sourceId": source or None,
                                  "creatorId": union, "createdTime": now, "done": False,
                                  "executorIds": executors, "dueTime": body.get("dueTime")})

    async def todo_update(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        union = self._union(request)
        body = await request.json()
        self.todo_requests.append((request.method, request.path, body))
        todo = self.todos.get(request.match_info["task"])
        if union is None or todo is None or todo["union"] != union:
            return _error(404, "todo.notFound", "no such to-do for this user")
        problem = self._problem(body, create=False)
        if problem is not None:
            return _error(400, "InvalidParameter", problem)
        todo.update({k: body[k] for k in ("subject", "description", "dueTime", "done", "executorIds") if k in body})
        todo["updates"] += 1
        return web.json_response({"result": True})

    async def todo_by_source(self, request: web.Request) -> web.StreamResponse:
        if (denied := self._authorized(request)) is not None:
            return denied
        union = self._union(request)
        found = [t for t in self.todos.values() if t["union"] == union and t.get("sourceId") == request.match_info["source"]]
        if union is None or not found:
            return _error(404, "todo.notFound", "no to-do with this sourceId")
        t = found[0]
        return web.json_response({"id": t["id"], "subject": t["subject"], "sourceId": t["sourceId"], "done": t["done"],
                                  "dueTime": t.get("dueTime"), "executorIds": t.get("executorIds", [])})

    # --- what a person sees ---------------------------------------------------------------------
    def todos_of(self, user: str) -> list[dict[str, Any]]:
        union = self.unions.get(user)
        return [t for t in self.todos.values() if t["union"] == union]
