"""A real LTI 1.3 platform on loopback, built on `lti1p3platform` (PyPI): it
signs launches with its own RSA key, serves its JWKS, checks the tool's
client assertion against Cairn's key set and issues service tokens (the
library's `get_access_token`), and answers the AGS line item and result
containers, line item creation and score posts (kept in `line_items` and
`scores` for tests to assert) and the NRPS membership container with bearer
tokens it checked (`validate_token`). The library's own service handlers
need a framework's request objects; the containers here are the spec's JSON,
paged with Link headers (AGS §3.2, NRPS §2.4)."""

import json
import threading
import uuid
from html import escape
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def new_private_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(private_pem: str) -> str:
    key = serialization.load_pem_private_key(private_pem.encode(), password=None)
    return (
        key.public_key()
        .public_bytes(
            serialization.Encoding.PEM,
            serialization.PublicFormat.SubjectPublicKeyInfo,
        )
        .decode()
    )


class _Request(Request):
    def build_metadata(self, environ):
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        form = {}
        if environ["REQUEST_METHOD"] == "POST":
            size = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(size).decode()
            form = {k: v[0] for k, v in parse_qs(body).items()}
        return {
            "method": environ["REQUEST_METHOD"],
            "form_data": form,
            "get_data": query,
            "headers": {},
            "content_type": environ.get("CONTENT_TYPE"),
            "path": environ.get("PATH_INFO", ""),
            "json": None,
        }


class _Conf(LTI1P3PlatformConfAbstract):
    def init_platform_config(self, registration):
        self._registration = registration

    def get_registration_by_params(self, **kwargs):
        return self._registration


class _Login(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs):
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url):
        return url


class _Launch(LTIAdvantageMessageLaunchAbstract):
    def render_launch_form(self, launch_data, **kwargs):
        return launch_data


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass


class Platform:
    """Start with `Platform(tool_login_url, tool_launch_url)`; `stop()` ends it."""

    def __init__(self, *, client_id="cairn-tool", deployment_id="deploy-1", port=0):
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.private_pem = new_private_pem()
        self.server = make_server("127.0.0.1", port, self.app, WSGIServer, _Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.issuer = self.url
        self.launches: dict[str, dict] = {}
        self.line_items: dict[str, dict] = {}
        self.results: dict[str, dict[str, float]] = {}
        self.members: list[dict] = []
        # Scores posted by the tool, per line item, in the order received.
        self.scores: dict[str, list[dict]] = {}
        # Whether launches let the tool create line items (AGS `lineitem` scope).
        self.allow_creating_line_items = True
        self.page_size = 50
        self.tokens_issued = 0
        self.registration = None
        self.pages: dict[str, str] = {}
        # Called with the path of each roster or results request, as it is
        # answered (a test looks at what the tool holds meanwhile).
        self.on_service_request = None
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # -- Dynamic Registration (the platform's side)
    registration_token: str | None = "one-time-token"
    tool_registration: dict | None = None

    def openid_configuration(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": self.url + "/authorize",
            "token_endpoint": self.url + "/token",
            "jwks_uri": self.url + "/jwks",
            "registration_endpoint": self.url + "/register",
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "loopback-lms",
                "version": "1.0",
            },
        }

    # -- what the admin copies into each side
    def register_tool(self, *, login_url, launch_url, tool_jwks):
        self.registration = (
            Registration()
            .set_iss(self.issuer)
            .set_client_id(self.client_id)
            .set_deployment_id(self.deployment_id)
            .set_oidc_login_url(login_url)
            .set_launch_url(launch_url)
            .set_deeplink_launch_url(launch_url)
            .set_tool_key_set(tool_jwks)
            .set_platform_public_key(public_pem(self.private_pem))
            .set_platform_private_key(self.private_pem)
        )

    def tool_fields(self) -> dict:
        """What Cairn's registration form asks for."""
        return {
            "name": "Loopback LMS",
            "issuer": self.issuer,
            "client_id": self.client_id,
            "deployment_ids": [self.deployment_id],
            "auth_login_url": self.url + "/authorize",
            "auth_token_url": self.url + "/token",
            "key_set_url": self.url + "/jwks",
        }

    # -- the course
    def add_line_item(self, key: str, label: str, maximum: float = 100) -> str:
        item_id = f"{self.url}/course/lineitems/{key}"
        self.line_items[item_id] = {
            "id": item_id,
            "label": label,
            "scoreMaximum": maximum,
        }
        self.results.setdefault(item_id, {})
        return item_id

    def post_score(self, item_id: str, user_id: str, score: float):
        self.results[item_id][user_id] = score

    def _create_line_item(self, body: dict) -> dict:
        """AGS §3.2.7: the platform gives the new line item its id."""
        item_id = self.add_line_item(
            uuid.uuid4().hex[:12], body["label"], body["scoreMaximum"]
        )
        self.line_items[item_id].update(
            {k: body[k] for k in ("tag", "resourceId", "resourceLinkId") if k in body}
        )
        return self.line_items[item_id]

    def add_member(self, user_id, *, name, email, roles=(LEARNER,), status="Active"):
        self.members = [m for m in self.members if m["user_id"] != user_id]
        self.members.append(
            {
                "user_id": user_id,
                "name": name,
                "email": email,
                "roles": list(roles),
                "status": status,
            }
        )

    def initiate_login(
        self,
        user_id: str,
        *,
        roles=(LEARNER,),
        custom=None,
        deep_linking=False,
        name="",
        email="",
        **overrides,
    ) -> str:
        """The URL the platform sends the browser to (Cairn's login URL)."""
        hint = uuid.uuid4().hex
        framed = overrides.pop("framed", False)
        self.launches[hint] = {
            "user_id": user_id,
            "roles": list(roles),
            "custom": custom or {},
            "deep_linking": deep_linking,
            "name": name,
            "email": email,
            **overrides,
        }
        login = _Login(None, _Conf(registration=self.registration))
        login.set_lti_message_hint(hint=hint)
        url = login.initiate_login(user_id)
        if framed:
            # The platform offers its storage (the tool's frame reaches the
            # course page as its parent).
            self.launches[hint]["storage_target"] = STORAGE_TARGET
            url += "&" + urlencode({"lti_storage_target": STORAGE_TARGET})
        return url

    def course_page_url(self, user_id: str, **launch) -> str:
        """A page of the course on the platform's origin that opens Cairn in
        a frame and answers the frame's storage messages."""
        key = uuid.uuid4().hex
        self.pages[key] = self.initiate_login(user_id, framed=True, **launch)
        return f"{self.url}/course/page/{key}"

    # -- the HTTP side
    def app(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        try:
            status, headers, body = self.route(environ, path)
        except PermissionError as error:
            status, headers, body = "401 Unauthorized", [], {"error": str(error)}
        if ("X-Html", "1") in headers:
            return self._html(start_response, _launch_form(body))
        if path.startswith("/course/page/") and path[13:] in self.pages:
            return self._html(start_response, _course_page(self.pages[path[13:]]))
        if path == "/" and self.registration is not None:
            return self._html(start_response, self._home())
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", "application/json"), *headers])
        return [data]

    def _html(self, start_response, page: str):
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [page.encode()]

    def _home(self) -> str:
        links = {
            "Open Cairn as a learner": self.initiate_login(
                "demo-learner",
                name="Demo Learner",
                email="learner@lms.example",
                custom={"cairn_pathway": "DATA-PATH"},
            ),
            "Open Cairn as the instructor": self.initiate_login(
                "demo-teacher",
                roles=(INSTRUCTOR,),
                name="Demo Teacher",
                email="teacher@lms.example",
            ),
            "Open the course page, Cairn in its frame (learner)": (
                self.course_page_url(
                    "demo-learner",
                    name="Demo Learner",
                    email="learner@lms.example",
                    custom={"cairn_pathway": "DATA-PATH"},
                )
            ),
            "Place a Cairn page (deep linking)": self.initiate_login(
                "demo-teacher",
                roles=(INSTRUCTOR,),
                deep_linking=True,
            ),
        }
        items = "".join(
            f'<li><a href="{escape(url)}">{label}</a></li>'
            for label, url in links.items()
        )
        return (
            f"<!doctype html><title>Test LMS</title><h1>Test LMS</h1><ul>{items}</ul>"
        )

    def _check_token(self, environ, scopes):
        auth = environ.get("HTTP_AUTHORIZATION", "")
        if not auth.startswith("Bearer "):
            raise PermissionError("no token")
        conf = _Conf(registration=self.registration)
        if not conf.validate_token(auth[7:], allowed_scopes=scopes):
            raise PermissionError("token lacks the scope")

    def _page(self, environ, items, base):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        offset = int(query.get("offset", ["0"])[0])
        page = items[offset : offset + self.page_size]
        headers = []
        if offset + self.page_size < len(items):
            following = f"{base}?{urlencode({'offset': offset + self.page_size})}"
            headers.append(("Link", f'<{following}>; rel="next"'))
        return headers, page

    def route(self, environ, path):
        conf = _Conf(registration=self.registration)
        if path == "/.well-known/openid-configuration":
            return "200 OK", [], self.openid_configuration()
        if path == "/register":
            if environ.get("HTTP_AUTHORIZATION") != f"Bearer {self.registration_token}":
                raise PermissionError("registration token")
            size = int(environ.get("CONTENT_LENGTH") or 0)
            self.tool_registration = json.loads(environ["wsgi.input"].read(size))
            self.registration_token = None  # one use
            return (
                "200 OK",
                [],
                {
                    **self.tool_registration,
                    "client_id": self.client_id,
                    "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                        "deployment_id": self.deployment_id,
                    },
                },
            )
        if path == "/jwks":
            return "200 OK", [], conf.get_jwks()
        if path == "/authorize":
            request = _Request(environ)
            hint = request.get_data.get("lti_message_hint", "")
            launch = self.launches.get(hint)
            if (
                launch is None
                or request.get_data.get("login_hint") != launch["user_id"]
            ):
                return "400 Bad Request", [], {"error": "unknown login"}
            form = self._launch(request, conf, launch)
            if launch.get("storage_target"):
                form["lti_storage_target"] = launch["storage_target"]
            if "text/html" in environ.get("HTTP_ACCEPT", ""):
                return "200 OK", [("X-Html", "1")], form
            return "200 OK", [], form
        if path == "/token":
            conf.get_registration()
            self.tokens_issued += 1
            return "200 OK", [], conf.get_access_token(_Request(environ).form_data)
        if path == "/course/lineitems" and environ["REQUEST_METHOD"] == "POST":
            self._check_token(environ, [AGS + "lineitem"])
            return "201 Created", [], self._create_line_item(_json(environ))
        if path == "/course/lineitems":
            self._check_token(environ, [AGS + "lineitem.readonly", AGS + "lineitem"])
            headers, page = self._page(
                environ, list(self.line_items.values()), self.url + path
            )
            return "200 OK", headers, page
        if path.startswith("/course/lineitems/") and path.endswith("/scores"):
            self._check_token(environ, [AGS + "score"])
            item_id = self.url + path.removesuffix("/scores")
            if item_id not in self.line_items:
                return "404 Not Found", [], {"error": "no such line item"}
            score = _json(environ)
            self.scores.setdefault(item_id, []).append(score)
            self.results[item_id][score["userId"]] = score["scoreGiven"]
            return "200 OK", [], {}
        if path.startswith("/course/lineitems/") and path.endswith("/results"):
            self._check_token(environ, [AGS + "result.readonly"])
            item_id = self.url + path.removesuffix("/results")
            maximum = self.line_items[item_id]["scoreMaximum"]
            results = [
                {
                    "id": f"{item_id}/results/{user}",
                    "scoreOf": item_id,
                    "userId": user,
                    "resultScore": score,
                    "resultMaximum": maximum,
                }
                for user, score in sorted(self.results[item_id].items())
            ]
            headers, page = self._page(environ, results, self.url + path)
            return "200 OK", headers, page
        if path == "/course/memberships":
            self._check_token(environ, [NRPS])
            if self.on_service_request:
                self.on_service_request(path)
            headers, page = self._page(environ, self.members, self.url + path)
            return (
                "200 OK",
                headers,
                {
                    "id": self.url + path,
                    "context": {"id": "course-1", "title": "Data Analysis 101"},
                    "members": page,
                },
            )
        return "404 Not Found", [], {"error": "no such path"}

    def _launch(self, request, conf, launch):
        message = _Launch(request, conf)
        message.set_id_token_expiration(launch.get("expires", 300))
        message.set_user_data(
            launch["user_id"],
            launch["roles"],
            full_name=launch["name"] or None,
            email_address=launch["email"] or None,
        )
        message.set_launch_context_claim(
            context_id="course-1",
            context_label="DA101",
            context_title="Data Analysis 101",
        )
        if launch["deep_linking"]:
            message.set_dl(self.url + "/deep-link-return")
        else:
            message.set_resource_link_claim("link-1", title="Progress in Cairn")
        if launch["custom"]:
            message.set_custom_parameters_claim(launch["custom"])
        message.set_ags(
            self.url + "/course/lineitems",
            allow_creating_lineitems=self.allow_creating_line_items,
        )
        message.set_nrps(self.url + "/course/memberships")
        for claim, value in launch.get("claims", {}).items():
            message.set_extra_claims({claim: value})
        return message.lti_launch()


def _json(environ) -> dict:
    size = int(environ.get("CONTENT_LENGTH") or 0)
    return json.loads(environ["wsgi.input"].read(size))


def _launch_form(data: dict) -> str:
    fields = "".join(
        f'<input type="hidden" name="{name}" value="{escape(data[name])}">'
        for name in ("id_token", "state", "lti_storage_target")
        if name in data
    )
    return (
        "<!doctype html><title>Launch</title>"
        f'<form method="post" action="{escape(data["launch_url"])}">{fields}'
        '<button type="submit">Continue to Cairn</button></form>'
        "<script>document.forms[0].submit()</script>"
    )


# The frame the tool's storage messages go to: the course page itself
# ("_parent", as the spec allows).
STORAGE_TARGET = "_parent"

# The platform's side of 1EdTech's "OIDC Login with LTI Client Side
# postMessages": it answers lti.capabilities, lti.put_data and lti.get_data
# from the tool's origin only, keeps the values in the page, and notes each
# message (window.ltiStorageLog) for the tests to read.
_STORAGE_SCRIPT = """
(function () {
  var toolOrigin = %(origin)s, store = {};
  window.ltiStorageLog = [];
  window.addEventListener("message", function (event) {
    var data = event.data || {};
    if (event.origin !== toolOrigin || typeof data.subject !== "string") {
      return;
    }
    window.ltiStorageLog.push(data.subject);
    var answer = {subject: data.subject + ".response", message_id: data.message_id};
    if (data.subject === "lti.capabilities") {
      answer.supported_messages = [
        {subject: "lti.capabilities"},
        {subject: "lti.put_data"},
        {subject: "lti.get_data"}
      ];
    } else if (data.subject === "lti.put_data") {
      store[data.key] = data.value;
      answer.key = data.key;
      answer.value = data.value;
    } else if (data.subject === "lti.get_data") {
      answer.key = data.key;
      if (Object.prototype.hasOwnProperty.call(store, data.key)) {
        answer.value = store[data.key];
      } else {
        answer.error = {code: "not_found", message: "No such key"};
      }
    } else {
      answer.error = {code: "unsupported_subject", message: "Not supported"};
    }
    event.source.postMessage(answer, event.origin);
  });
})();
"""


def _course_page(login_url: str) -> str:
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(login_url))
    script = _STORAGE_SCRIPT % {"origin": json.dumps(origin)}
    return (
        "<!doctype html><title>Data Analysis 101</title>"
        "<h1>Data Analysis 101</h1>"
        f"<script>{script}</script>"
        f'<iframe name="cairn" title="Cairn" src="{escape(login_url)}" '
        'style="width:100%;height:800px" '
        'allow="storage-access"></iframe>'
    )


def main() -> None:
    """Serve the platform on 127.0.0.1:8765 for `make run`'s demo (README)."""
    import argparse
    import time

    import requests

    parser = argparse.ArgumentParser()
    parser.add_argument("--cairn", default="http://127.0.0.1:8000")
    parser.add_argument("--organization", default="northfield")
    args = parser.parse_args()
    platform = Platform(client_id="cairn-demo", deployment_id="1", port=8765)
    base = f"{args.cairn}/integrations/lti/{args.organization}"
    platform.register_tool(
        login_url=base + "/login/",
        launch_url=base + "/launch/",
        tool_jwks=requests.get(base + "/jwks/", timeout=10).json(),
    )
    quiz = platform.add_line_item("quiz-1", "Spreadsheet quiz")
    platform.add_member(
        "demo-learner", name="Demo Learner", email="learner@lms.example"
    )
    platform.add_member(
        "demo-teacher",
        name="Demo Teacher",
        email="teacher@lms.example",
        roles=(INSTRUCTOR,),
    )
    platform.post_score(quiz, "demo-learner", 92)
    print(f"Test LMS at {platform.url}/ (Ctrl-C stops it)")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        platform.stop()


if __name__ == "__main__":
    main()


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
