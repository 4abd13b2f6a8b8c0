"""A small authorization server that answers as Adgangsplatformen does, for the tests.

Built on Authlib's server side (Flask) and run on loopback in a thread: ``/oauth/authorize``
(a page where the test person picks who logs in, as one would type a library card and PIN),
``/oauth/token`` (authorization code, the client's id and secret in the form body, PKCE with
S256 required) and ``/userinfo/`` (a bearer token; the attributes ``uniqueId`` and
``municipality`` under ``attributes``). It records what it was asked, so a test can see that
the code verifier was checked and that our side never asked for more.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape

import flask
import werkzeug.serving
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge

CLIENT_ID = "modested-test"
CLIENT_SECRET = "s3cret-for-tests"


@dataclass(frozen=True)
class Person:
    card: str  # what the person "types" at the platform
    unique_id: str
    municipality: str


@dataclass
class _Client:
    redirect_uris: list[str]

    def get_client_id(self) -> str:
        return CLIENT_ID

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0] if self.redirect_uris else ""

    def get_allowed_scope(self, scope: str) -> str:
        return scope or ""

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return not self.redirect_uris or redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, CLIENT_SECRET)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method == "client_secret_post"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code:
    code: str
    person: Person
    redirect_uri: str
    scope: str
    code_challenge: str | None
    code_challenge_method: str | None
    created: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_auth_time(self) -> int:
        return int(self.created)

    def get_nonce(self) -> None:
        return None


@dataclass
class PlatformState:
    people: dict[str, Person]
    client: _Client
    codes: dict[str, _Code] = field(default_factory=dict)
    tokens: dict[str, Person] = field(default_factory=dict)
    token_requests: list[dict[str, str]] = field(default_factory=list)
    userinfo_calls: int = 0


def _make_app(state: PlatformState) -> flask.Flask:
    app = flask.Flask(__name__)
    app.config["OAUTH2_TOKEN_EXPIRES_IN"] = {"authorization_code": 30 * 86400}

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_post"]

        def save_authorization_code(self, code, request):
            state.codes[code] = _Code(
                code=code,
                person=request.user,
                redirect_uri=request.payload.redirect_uri,
                scope=request.payload.scope or "",
                code_challenge=request.payload.data.get("code_challenge"),
                code_challenge_method=request.payload.data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code, client):
            return state.codes.get(code)

        def delete_authorization_code(self, authorization_code):
            state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.person

    def save_token(token, request):
        state.tokens[token["access_token"]] = request.user

    server = AuthorizationServer(
        app,
        query_client=lambda cid: state.client if cid == CLIENT_ID else None,
        save_token=save_token,
    )
    server.register_grant(CodeGrant, [CodeChallenge(required=True)])

    @app.route("/oauth/authorize", methods=["GET", "POST"])
    def authorize():
        if not flask.request.args:
            return "Adgangsplatformen (test)", 400  # the start page probes this
        try:
            grant = server.get_consent_grant(end_user=None)
        except Exception as error:  # noqa: BLE001
            return f"Bad request: {escape(str(error))}", 400
        if flask.request.method == "GET":
            buttons = "".join(
                f'<button type="submit" name="card" value="{escape(p.card)}">'
                f"Log in as {escape(p.card)}</button>"
                for p in state.people.values()
            )
            return f"<h1>Adgangsplatformen (test)</h1><form method='post'>{buttons}</form>"
        person = state.people[flask.request.form["card"]]
        return server.create_authorization_response(grant=grant, grant_user=person)

    @app.post("/oauth/token")
    def token():
        state.token_requests.append(dict(flask.request.form))
        return server.create_token_response()

    @app.get("/userinfo/")
    def userinfo():
        state.userinfo_calls += 1
        header = flask.request.headers.get("Authorization", "")
        person = state.tokens.get(header.removeprefix("Bearer ").strip())
        if person is None:
            return {"error": "invalid_token"}, 401
        return {
            "attributes": {"uniqueId": person.unique_id, "municipality": person.municipality},
            "id": person.unique_id,
        }

    return app


@dataclass
class RunningPlatform:
    url: str
    state: PlatformState

    def settings(self) -> dict[str, str]:
        return {
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "authorize_url": f"{self.url}/oauth/authorize",
            "token_url": f"{self.url}/oauth/token",
            "userinfo_url": f"{self.url}/userinfo/",
            "token_auth_method": "client_secret_post",
        }


@contextmanager
def run_platform(people: list[Person], redirect_uris: list[str]) -> Iterator[RunningPlatform]:
    state = PlatformState(people={p.card: p for p in people}, client=_Client(redirect_uris))
    server = werkzeug.serving.make_server("127.0.0.1", 0, _make_app(state), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield RunningPlatform(url=f"http://127.0.0.1:{server.server_port}", state=state)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
