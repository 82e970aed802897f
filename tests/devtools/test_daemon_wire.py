"""Raw HTTP as the stand-in daemon hands it to a plugin, read back with the SDK's own parser."""

import binascii

import pytest
from dify_plugin.core.utils.http_parser import deserialize_request, serialize_response
from werkzeug import Response

from devtools.daemon.httpwire import (
    EndpointRequest,
    go_canonical_header_key,
    go_path_clean,
    go_reencode_query,
    parse_http_response,
    serialize_dify_request,
    serialize_endpoint_request,
)
from devtools.daemon.results import SessionResult, decode_endpoint_session

HOOK = "f" * 32


def endpoint_request(**overrides: object) -> EndpointRequest:
    fields: dict[str, object] = {
        "method": "POST",
        "path": "/plivo/sms",
        "hook_id": HOOK,
        "host": "dify.example.com",
        "headers": [("Content-Type", "application/x-www-form-urlencoded")],
        "body": b"From=%2B14155550100&Text=hi",
    }
    fields.update(overrides)
    return EndpointRequest(**fields)  # type: ignore[arg-type]


def sdk_view(incoming: EndpointRequest):
    return deserialize_request(serialize_endpoint_request(incoming))


def test_the_plugin_sees_the_endpoint_path_the_hook_headers_and_the_form():
    request = sdk_view(endpoint_request(raw_query="b=2&a=1"))
    assert request.method == "POST"
    assert request.path == "/plivo/sms"
    assert request.headers["Host"] == "dify.example.com"
    assert request.headers["Dify-Hook-Id"] == HOOK
    assert request.headers["Dify-Hook-Url"] == f"http://dify.example.com/e/{HOOK}/plivo/sms"
    assert request.form.to_dict() == {"From": "+14155550100", "Text": "hi"}
    assert list(request.args.items(multi=True)) == [("a", "1"), ("b", "2")]


def test_the_request_line_and_header_order_follow_go_request_write():
    raw = serialize_endpoint_request(
        endpoint_request(headers=[("x-plivo-signature-v3", "sig"), ("accept", "*/*")])
    )
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.decode().split("\r\n") == [
        "POST /plivo/sms HTTP/1.1",
        "Host: dify.example.com",
        "User-Agent: Go-http-client/1.1",
        "Content-Length: 27",
        "Accept: */*",
        f"Dify-Hook-Id: {HOOK}",
        f"Dify-Hook-Url: http://dify.example.com/e/{HOOK}/plivo/sms",
        "X-Plivo-Signature-V3: sig",
    ]
    assert body == b"From=%2B14155550100&Text=hi"


def test_caller_address_headers_are_removed_and_x_original_host_becomes_host():
    request = sdk_view(
        endpoint_request(
            headers=[
                ("X-Forwarded-For", "203.0.113.9"),
                ("X-Real-IP", "203.0.113.9"),
                ("X-Original-Host", "public.example.org"),
                ("X-Original-URL", "/e/x"),
                ("User-Agent", "PlivoHTTP/1.0"),
            ]
        )
    )
    assert request.headers["Host"] == "public.example.org"
    assert request.headers["Dify-Hook-Url"] == f"http://public.example.org/e/{HOOK}/plivo/sms"
    assert request.headers["User-Agent"] == "PlivoHTTP/1.0"
    for removed in ("X-Forwarded-For", "X-Real-Ip", "X-Original-Host", "X-Original-Url"):
        assert removed not in request.headers


@pytest.mark.parametrize(
    ("tls", "headers", "scheme"),
    [
        (True, [], "https"),
        (False, [("X-Forwarded-Proto", "https")], "https"),
        (False, [("X-Forwarded-Proto", "http")], "http"),
    ],
)
def test_hook_url_scheme_comes_from_tls_or_forwarded_proto(tls, headers, scheme):
    request = sdk_view(endpoint_request(tls=tls, headers=headers))
    assert request.headers["Dify-Hook-Url"].startswith(f"{scheme}://dify.example.com/e/")


def test_a_hook_url_set_by_the_caller_passes_through():
    request = sdk_view(endpoint_request(headers=[("Dify-Hook-Url", "https://proxy.test/x")]))
    assert request.headers["Dify-Hook-Url"] == "https://proxy.test/x"


def test_an_empty_post_goes_out_chunked_and_the_plugin_reads_the_terminator_as_body():
    request = sdk_view(endpoint_request(body=b"", headers=[]))
    assert request.get_data() == b"0\r\n\r\n"


def test_a_get_without_body_has_no_framing_header():
    raw = serialize_endpoint_request(endpoint_request(method="GET", body=b"", headers=[]))
    assert b"Content-Length" not in raw
    assert b"Transfer-Encoding" not in raw
    assert raw.endswith(b"\r\n\r\n")


def test_the_path_is_escaped_as_go_escapes_paths():
    raw = serialize_endpoint_request(endpoint_request(path="/in box/(a)+b@c"))
    assert raw.startswith(b"POST /in%20box/%28a%29+b@c HTTP/1.1\r\n")
    assert sdk_view(endpoint_request(path="/in box/(a)+b@c")).path == "/in box/(a)+b@c"


@pytest.mark.parametrize(
    ("raw", "encoded"),
    [
        ("b=2&a=1&a=0", "a=1&a=0&b=2"),
        ("text=hello world&x=a+b", "text=hello+world&x=a+b"),
        ("k=%2B1&bad=%zz&semi=1;2&=v&flag", "=v&flag=&k=%2B1"),
        ("name=%E2%82%AC", "name=%E2%82%AC"),
        ("", ""),
    ],
)
def test_the_query_is_reencoded_like_go_values_encode(raw, encoded):
    assert go_reencode_query(raw) == encoded


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("x-plivo-signature-v3", "X-Plivo-Signature-V3"),
        ("CONTENT-TYPE", "Content-Type"),
        ("dify-hook-url", "Dify-Hook-Url"),
        ("x_custom", "X_custom"),
        ("bad name", "bad name"),
    ],
)
def test_header_names_are_canonical_as_in_go(name, canonical):
    assert go_canonical_header_key(name) == canonical


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [
        ("a/c", "a/c"),
        ("a//c", "a/c"),
        ("a/c/.", "a/c"),
        ("a/c/b/..", "a/c"),
        ("/../a/c", "/a/c"),
        ("/../a/b/../././/c", "/a/c"),
        ("a/../..", ".."),
        ("", "."),
    ],
)
def test_path_clean_matches_go(path, cleaned):
    assert go_path_clean(path) == cleaned


def test_a_trigger_request_is_written_as_dify_api_serialises_it():
    raw = serialize_dify_request(
        "post",
        "/triggers/plugin/ep-1",
        raw_query="a=1&b",
        headers=[("Host", "dify.test"), ("x-plivo-signature-v3", "s")],
        body=b"Text=hi",
    )
    assert raw == (
        b"POST /triggers/plugin/ep-1?a=1&b HTTP/1.1\r\nHost: dify.test\r\n"
        b"X-Plivo-Signature-V3: s\r\n\r\nText=hi"
    )
    request = deserialize_request(raw)
    assert request.path == "/triggers/plugin/ep-1"
    assert request.get_data() == b"Text=hi"


def test_a_dispatch_answer_written_by_the_sdk_parses_back():
    written = serialize_response(
        Response("<Response></Response>", status=202, mimetype="application/xml")
    )
    parsed = parse_http_response(written)
    assert parsed.status == 202
    assert parsed.header("content-type") == "application/xml; charset=utf-8"
    assert parsed.body == b"<Response></Response>"


def session_of(*messages: dict, error: dict | None = None) -> SessionResult:
    return SessionResult(
        "s",
        messages=list(messages),
        arrivals=[0.1 * (i + 1) for i in range(len(messages))],
        error=error,
    )


def hexed(text: str) -> str:
    return binascii.hexlify(text.encode()).decode()


def test_endpoint_answer_takes_status_and_headers_up_to_the_first_body_chunk():
    result = decode_endpoint_session(
        session_of(
            {"status": 201, "headers": {"content-type": "text/plain", "X-A": "1"}},
            {"result": hexed("one;")},
            {"status": 500, "headers": {"X-Late": "ignored"}, "result": hexed("two")},
        ),
        b"",
    )
    assert result.status == 201
    assert result.headers == {"Content-Type": "text/plain", "X-A": "1"}
    assert result.body == b"one;two"
    assert result.chunks == [b"one;", b"two"]
    assert result.first_body_after == pytest.approx(0.2)


def test_an_error_before_any_body_becomes_the_daemons_500():
    error = {"error_type": "ValueError", "message": "Invalid HTTP header", "args": {}}
    result = decode_endpoint_session(session_of(error=error), b"")
    assert result.status == 500
    outer = result.json()
    assert outer["code"] == -500
    assert '"error_type":"PluginDaemonInternalServerError"' in outer["message"]
    assert "Invalid HTTP header" in outer["message"]


def test_an_error_after_the_first_body_chunk_is_appended_to_the_body():
    error = {"error_type": "RuntimeError", "message": "boom", "args": None}
    result = decode_endpoint_session(
        session_of({"status": 200, "headers": {}, "result": hexed("part")}, error=error), b""
    )
    assert result.status == 200
    assert result.body.startswith(b"part{")
    assert b'"message":"boom"' in result.body
