"""The route table's guarantees, on a small app of its own: a guarded handler never runs (nor does
the body get read) before the credential check passes, a declared privilege is checked next, and
a failure nobody expected is one log line and the face's 500 naming the same request id, with the
connection closed."""

import asyncio
import logging

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from localsphere.faces.routing import RouteMiss, Routes, Routing, answers, not_found


class Denied(Exception):
    pass


def _denied(_request, exc):
    return JSONResponse({"error": str(exc)}, 401)


def _miss(_request, exc):
    return JSONResponse({"error": f"miss {exc.status}"}, exc.status)


def _internal(_request, rid):
    return JSONResponse({"error": "internal", "id": rid}, 500)


@pytest.fixture
def app():
    ran = []
    answer = answers({Denied: _denied, RouteMiss: _miss}, _internal)

    async def authenticate(request: Request) -> str:
        if request.headers.get("x-key") != "right":
            raise Denied("who are you")
        return request.headers.get("x-user", "")

    def require(caller: str, privilege: str) -> None:
        if caller != "admin":
            raise Denied(f"{caller} lacks {privilege}")

    async def echo(request: Request, caller: str) -> Response:
        ran.append(caller)
        return Response(await request.body())

    async def explode(_request: Request, _caller: str) -> Response:
        raise RuntimeError("the secret is hunter2")

    async def hello(_request: Request) -> Response:
        return Response(b"hi")

    table: Routes[str] = Routes(answer, authenticate, require)
    table.add("POST", "/things", echo, "Things.Write")
    table.add("GET", "/things", echo)
    table.add("GET", "/boom", explode)
    table.anonymous("GET", "/hello", hello)
    return Client(Routing(table.build(), not_found(lambda _path: answer)), ran)


class Client:
    """httpx straight to the ASGI app, one request at a time."""

    def __init__(self, asgi, ran):
        self.asgi, self.ran = asgi, ran

    def request(self, method, path, **kwargs):
        async def send():
            transport = httpx.ASGITransport(app=self.asgi)
            async with httpx.AsyncClient(transport=transport, base_url="http://face") as client:
                return await client.request(method, path, **kwargs)

        return asyncio.run(send())

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self.request("POST", path, **kwargs)

    def delete(self, path, **kwargs):
        return self.request("DELETE", path, **kwargs)


def test_the_credential_then_the_privilege_then_the_handler(app):
    assert app.post("/things", content=b"x").json() == {"error": "who are you"}
    r = app.post("/things", content=b"x", headers={"x-key": "right", "x-user": "bob"})
    assert r.json() == {"error": "bob lacks Things.Write"}
    assert app.ran == []
    r = app.post("/things", content=b"body", headers={"x-key": "right", "x-user": "admin"})
    assert r.content == b"body" and app.ran == ["admin"]
    assert app.get("/things", headers={"x-key": "right", "x-user": "bob"}).status_code == 200
    assert app.get("/hello").content == b"hi"


def test_a_method_the_path_lacks_is_405_with_every_method(app):
    r = app.delete("/things")
    assert r.status_code == 405 and r.json() == {"error": "miss 405"}
    assert r.headers["allow"] == "GET, HEAD, POST"
    assert app.get("/nowhere").json() == {"error": "miss 404"}


def test_an_unexpected_failure_is_one_line_and_a_closed_500(app, caplog):
    with caplog.at_level(logging.ERROR, logger="localsphere"):
        r = app.get("/boom", headers={"x-key": "right"})
    assert r.status_code == 500 and r.headers["connection"] == "close"
    rid = r.json()["id"]
    (record,) = caplog.records
    assert record.exc_info is None and "\n" not in record.getMessage()
    assert rid in record.getMessage() and "RuntimeError" in record.getMessage()
    assert "test_routing.py" in record.getMessage()  # where, below the route table
    assert "hunter2" not in record.getMessage() and "hunter2" not in r.text


def test_an_operation_is_declared_once(app):
    table: Routes[None] = Routes(answers({}, _internal))

    async def handler(_request):
        return Response()

    table.anonymous("GET", "/x", handler)
    with pytest.raises(ValueError, match="declared twice"):
        table.anonymous("GET", "/x", handler)
