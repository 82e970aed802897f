"""Raw HTTP as Dify hands it to a plugin, and the plugin's HTTP answers decoded.

Two producers exist in Dify, and they do not write the same bytes:

* Endpoints: the plugin daemon (Go) re-serialises the caller's request with ``http.Request.Write``
  after rewriting it in ``copyRequest`` (langgenius/dify-plugin-daemon
  ``internal/service/endpoint.go``; the route is ``/e/:hook_id/*path`` in
  ``internal/server/http_server.go``, and ``internal/server/endpoint.go`` sets ``X-Original-Host``).
* Triggers: the Dify API (Python) writes the request it received with ``serialize_request``
  (langgenius/dify ``api/core/plugin/utils/http_parser.py``) and the daemon only forwards the hex.

Both are hex-encoded into ``raw_http_request``; the SDK parses them with
``dify_plugin/core/utils/http_parser.py`` ``deserialize_request``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, unquote_to_bytes, urlencode, urlsplit

# Headers a caller may send, as name/value pairs (repeats allowed) or a mapping.
HeaderInput = Mapping[str, str] | Sequence[tuple[str, str]]
QueryInput = Mapping[str, str] | Sequence[tuple[str, str]] | str

GO_DEFAULT_USER_AGENT = "Go-http-client/1.1"
"""What Go's ``Request.Write`` sends when the caller's request had no User-Agent header."""

# copyRequest strips these so the plugin never sees the caller's address.
DAEMON_REMOVED_HEADERS = (
    "X-Forwarded-For",
    "X-Real-Ip",
    "X-Forwarded",
    "X-Original-Forwarded-For",
    "X-Original-Url",
    "X-Original-Host",
)
# Go's Request.Write writes these itself (reqWriteExcludeHeader in net/http/request.go).
_GO_SELF_WRITTEN = frozenset(
    {"Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer"}
)
# Methods for which Go probes an unknown-length body and drops it when empty
# (requestMethodUsuallyLacksBody in net/http/transfer.go).
_GO_USUALLY_BODYLESS = frozenset({"GET", "HEAD", "DELETE", "OPTIONS", "PROPFIND", "SEARCH"})
# Characters Go leaves unescaped in a URL path (shouldEscape with encodePath, net/url/url.go).
_GO_PATH_SAFE = "/$&+,:;=@-_.~"
_HEX_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def go_canonical_header_key(name: str) -> str:
    """net/textproto.CanonicalMIMEHeaderKey: ``x-plivo-signature-v3`` -> ``X-Plivo-Signature-V3``.

    Go keeps a name unchanged when it holds a character that is not a token character (a space,
    for one); every other name is upper-cased after each hyphen and lower-cased elsewhere.
    """
    if not name or any(not _is_token_char(c) for c in name):
        return name
    out = []
    upper = True
    for char in name:
        out.append(char.upper() if upper else char.lower())
        upper = char == "-"
    return "".join(out)


def _is_token_char(char: str) -> bool:
    return char.isascii() and (char.isalnum() or char in "!#$%&'*+-.^_`|~")


def go_path_clean(path: str) -> str:
    """Go's ``path.Clean`` (lexical: no filesystem), which the daemon applies to storage keys."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for segment in path.split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(segment)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


def go_reencode_query(raw_query: str) -> str:
    """``url.Values.Encode()`` of ``url.Query()``: what copyRequest puts after the ``?``.

    Go drops pairs holding a ``;`` or a malformed ``%`` escape, sorts the keys (values of one key
    keep their order) and escapes with ``QueryEscape`` (space as ``+``).
    """
    values: dict[bytes, list[bytes]] = {}
    for pair in raw_query.split("&"):
        if not pair or ";" in pair:
            continue
        key, _, value = pair.partition("=")
        raw_key, raw_value = key.encode(), value.encode()
        if _HEX_ESCAPE.search(raw_key) or _HEX_ESCAPE.search(raw_value):
            continue
        decoded_key = unquote_to_bytes(raw_key.replace(b"+", b" "))
        decoded_value = unquote_to_bytes(raw_value.replace(b"+", b" "))
        values.setdefault(decoded_key, []).append(decoded_value)
    return "&".join(
        f"{quote_plus(key, safe='')}={quote_plus(value, safe='')}"
        for key in sorted(values)
        for value in values[key]
    )


def header_pairs(headers: HeaderInput | None) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if isinstance(headers, Mapping):
        return [(str(k), str(v)) for k, v in headers.items()]
    return [(str(k), str(v)) for k, v in headers]


def encode_query(query: QueryInput | None) -> str:
    """The raw query string a client would send for ``query``."""
    if query is None:
        return ""
    if isinstance(query, str):
        return query.lstrip("?")
    pairs = list(query.items()) if isinstance(query, Mapping) else list(query)
    return urlencode(pairs)


def request_body(
    body: bytes | str | None, form: Mapping[str, str] | Sequence[tuple[str, str]] | None
) -> tuple[bytes, str | None]:
    """The body bytes and, for a form, the Content-Type a client would send with it."""
    if body is not None and form is not None:
        raise ValueError("pass either body or form, not both")
    if form is not None:
        pairs = list(form.items()) if isinstance(form, Mapping) else list(form)
        return urlencode(pairs).encode(), "application/x-www-form-urlencoded"
    if isinstance(body, str):
        return body.encode(), None
    return body or b"", None


@dataclass(frozen=True)
class EndpointRequest:
    """The request as the daemon's HTTP server received it, before copyRequest rewrites it."""

    method: str
    path: str  # the endpoint path as gin's ``*path`` parameter holds it (decoded, leading "/")
    hook_id: str
    host: str
    tls: bool = False
    raw_query: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def serialize_endpoint_request(incoming: EndpointRequest) -> bytes:
    """The bytes the daemon hex-encodes into ``raw_http_request`` for ``invoke_endpoint``.

    Steps, in the daemon's order: ``X-Original-Host`` defaults to the Host the server saw; the
    path becomes the endpoint path and the query is re-encoded; the address headers are removed
    and Host becomes ``X-Original-Host``; ``Dify-Hook-Id`` is set; ``Dify-Hook-Url`` is set to
    ``{scheme}://{host}/e/{hook_id}{path}`` unless the caller sent one (https when TLS or
    ``X-Forwarded-Proto: https``). Then Go's ``Request.Write`` frames it: request line, Host,
    User-Agent (Go's own when absent), body framing, the other headers sorted by name, blank line,
    body. An empty body on POST/PUT/PATCH has unknown length to Go, so it goes out chunked
    (``Transfer-Encoding: chunked`` and the terminating ``0`` chunk) - the SDK then hands the
    plugin those five bytes as the body.
    """
    method = incoming.method.upper()
    header: dict[str, list[str]] = {}
    for name, value in incoming.headers:
        key = go_canonical_header_key(name)
        if key == "Host":
            continue  # Go's server moves Host out of the header map into Request.Host
        header.setdefault(key, []).append(value)

    # internal/server/endpoint.go
    header.setdefault("X-Original-Host", [incoming.host])
    # internal/service/endpoint.go copyRequest
    original_host = header["X-Original-Host"][0]
    forwarded_proto = header.get("X-Forwarded-Proto", [""])[0]
    caller_hook_url = header.get("Dify-Hook-Url", [""])[0]
    for name in DAEMON_REMOVED_HEADERS:
        header.pop(name, None)
    host = original_host or incoming.host
    header["Dify-Hook-Id"] = [incoming.hook_id]
    if not caller_hook_url:
        scheme = "https" if incoming.tls or forwarded_proto == "https" else "http"
        header["Dify-Hook-Url"] = [f"{scheme}://{host}/e/{incoming.hook_id}{incoming.path}"]

    target = quote(incoming.path, safe=_GO_PATH_SAFE) or "/"
    query = go_reencode_query(incoming.raw_query)
    if query:
        target += "?" + query

    lines = [f"{method} {target} HTTP/1.1", f"Host: {host}"]
    user_agent = header["User-Agent"][0] if "User-Agent" in header else GO_DEFAULT_USER_AGENT
    if user_agent:
        lines.append(f"User-Agent: {user_agent}")
    body = incoming.body
    if body:
        lines.append(f"Content-Length: {len(body)}")
    elif method not in _GO_USUALLY_BODYLESS:
        lines.append("Transfer-Encoding: chunked")
        body = b"0\r\n\r\n"
    for key in sorted(header):
        if key in _GO_SELF_WRITTEN:
            continue
        for value in header[key]:
            lines.append(f"{key}: {_go_header_value(value)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _go_header_value(value: str) -> str:
    """Header.writeSubset: newlines become spaces, then surrounding whitespace is trimmed."""
    return value.replace("\r", " ").replace("\n", " ").strip(" \t\r\n")


def werkzeug_header_name(name: str) -> str:
    """How a WSGI server plus werkzeug's EnvironHeaders spell a received header name."""
    return name.replace("_", "-").title()


def serialize_dify_request(
    method: str,
    path: str,
    *,
    raw_query: str = "",
    headers: Iterable[tuple[str, str]] = (),
    body: bytes = b"",
) -> bytes:
    """Dify API's ``serialize_request``: what a trigger's ``raw_http_request`` decodes to.

    ``{method} {full_path.rstrip("?")} HTTP/1.1``, then every header werkzeug exposes (names
    title-cased, Host included, no Go rewriting), a blank line and the body as received.
    """
    full_path = path + ("?" + raw_query if raw_query else "")
    lines = [f"{method.upper()} {full_path} HTTP/1.1"]
    lines.extend(f"{werkzeug_header_name(name)}: {value}" for name, value in headers)
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


@dataclass(frozen=True)
class HttpResponse:
    """An HTTP response a plugin produced (dispatch answers) or the daemon relayed (endpoints)."""

    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        wanted = name.lower()
        for key, value in self.headers.items():
            if key.lower() == wanted:
                return value
        return None


def parse_http_response(raw: bytes) -> HttpResponse:
    """Parse ``HTTP/1.1 <status> ...``, headers and body (the SDK's ``serialize_response``)."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/"):
        raise ValueError(f"not an HTTP response: {lines[0]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip()] = value.strip()
    return HttpResponse(status=int(parts[1]), headers=headers, body=body)


def host_of(base_url: str) -> tuple[str, bool]:
    """Host (with port) and whether TLS is used, from a base URL such as ``https://dify.test``."""
    parts = urlsplit(base_url)
    if not parts.netloc:
        raise ValueError(f"base URL needs a scheme and a host: {base_url!r}")
    return parts.netloc, parts.scheme == "https"
