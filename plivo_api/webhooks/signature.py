"""Check that a webhook request really comes from Plivo, from its signature headers.

Plivo signs every callback (inbound message, delivery report, call answer and hangup) with the
account's Auth Token; see https://www.plivo.com/docs/voice/xml/request/validation and
https://www.plivo.com/docs/messaging/concepts/signature-validation. Without this check anyone who
learns the webhook URL can start workflows with forged messages.

Two schemes exist; both sign with HMAC-SHA256 keyed by the Auth Token and send the result base64
encoded, together with a random nonce in its own header:

- **V3** (``X-Plivo-Signature-V3`` signed with the account or subaccount token,
  ``X-Plivo-Signature-Ma-V3`` always with the main account token; nonce
  ``X-Plivo-Signature-V3-Nonce``) signs the URL *and* the parameters, so a changed body fails.
  The string signed is ``signed_url + "." + nonce`` (see :func:`v3_signed_url`). The header may
  carry several signatures separated by commas; one match is enough.
- **V2** (``X-Plivo-Signature-V2`` / ``X-Plivo-Signature-Ma-V2``, nonce
  ``X-Plivo-Signature-V2-Nonce``) signs only the URL without its query, plus the nonce. It does not
  cover the body, so a captured V2 signature can be replayed with other parameters. It is only
  consulted when a request carries no V3 signature at all: a request whose V3 signature fails is
  rejected even if a V2 signature matches (otherwise V2 would be a downgrade path around V3).

The URL to check is the one *Plivo called*, which is not the URL the plugin sees (Dify strips its
``/e/{hook_id}`` prefix). :func:`candidate_urls` builds it from Dify's ``Dify-Hook-Url`` header or
a configured public URL; :func:`verify_request` also tries the ``https`` twin of an ``http`` URL
because a TLS-terminating proxy makes Dify believe the request came over plain HTTP. No other
variation (such as a trailing slash) is tolerated: Plivo signs the path exactly as called.

Nothing here logs or returns a token or a computed signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

HEADER_V3 = "X-Plivo-Signature-V3"
HEADER_MA_V3 = "X-Plivo-Signature-Ma-V3"
HEADER_V3_NONCE = "X-Plivo-Signature-V3-Nonce"
HEADER_V2 = "X-Plivo-Signature-V2"
HEADER_MA_V2 = "X-Plivo-Signature-Ma-V2"
HEADER_V2_NONCE = "X-Plivo-Signature-V2-Nonce"
HOOK_URL_HEADER = "Dify-Hook-Url"
"""Set by the Dify plugin daemon: the public URL of the endpoint that was called (no query)."""

V3_HEADERS = (HEADER_V3, HEADER_MA_V3)
V2_HEADERS = (HEADER_V2, HEADER_MA_V2)
VERSION_V3 = "v3"
VERSION_V2 = "v2"
SIGNED_METHODS = frozenset({"GET", "POST"})
"""Plivo calls webhooks with GET or POST only; the V3 string to sign differs between the two."""

MAX_SIGNATURES_PER_HEADER = 16
"""Several signatures appear during a token rotation; more than a handful is not Plivo. The cap
keeps a hostile header from making the comparison loop long."""

REASON_NO_SIGNATURE = "no Plivo signature header (X-Plivo-Signature-V3 or -V2)"
REASON_NO_NONCE = "the signature nonce header is missing or empty"
REASON_NO_KEY = "no Auth Token configured to check the signature with"
REASON_NO_URL = "no public URL to check the signature against (Dify-Hook-Url or a configured URL)"
REASON_METHOD = "Plivo signs only GET and POST requests"
REASON_MISMATCH = "the signature does not match this request"

FormParams = Mapping[str, str] | Mapping[str, Sequence[str]]
"""Request parameters as frameworks hand them over: a plain ``{key: value}`` mapping, a mapping of
value lists (``form.to_dict(flat=False)``, ``parse_qs``) or a werkzeug ``MultiDict`` (read with
``getlist`` so repeated keys keep every value)."""


@runtime_checkable
class _MultiValued(Protocol):
    def getlist(self, key: str) -> list[str]: ...


class HeaderSource(Protocol):
    """Anything with ``items()`` of (name, value) pairs: a dict, a werkzeug ``Headers``."""

    def items(self) -> Iterable[tuple[str, str]]: ...


@dataclass(frozen=True)
class SignatureCheck:
    """Outcome of :func:`verify_request`. Safe to log: it never holds a token or a signature.

    ``header`` and ``version`` say which signature matched; ``url`` is the candidate URL that
    matched (the query included, the signed parameters not). On failure ``reason`` says why and
    ``checked_urls`` lists every URL tried, which is what to compare with the URL configured at
    Plivo when a proxy rewrites the host or the scheme.
    """

    valid: bool
    reason: str = ""
    version: str | None = None
    header: str | None = None
    url: str | None = None
    checked_urls: tuple[str, ...] = ()
    nonce: str | None = field(default=None, repr=False)  # of the matching signature


def form_lists(params: FormParams | None) -> dict[str, list[str]]:
    """Every key with all its values, whatever shape ``params`` has (see :data:`FormParams`)."""
    if not params:
        return {}
    result: dict[str, list[str]] = {}
    for key in params:
        raw: object = params.getlist(key) if isinstance(params, _MultiValued) else params[key]
        if isinstance(raw, str):
            values = [raw]
        elif isinstance(raw, Iterable):
            values = [item if isinstance(item, str) else str(item) for item in raw]
        else:
            values = [str(raw)]
        if values:  # a key with no value cannot come from a real form
            result[str(key)] = values
    return result


def v3_signed_url(method: str, url: str, params: FormParams | None = None) -> str:
    """The part of the V3 string to sign that precedes ``"." + nonce``.

    Follows Plivo's Python SDK (``plivo/utils/signature_v3.py``), which is how Plivo documents the
    algorithm:

    - ``base`` is ``scheme://netloc/path`` of ``url``; query and fragment are dropped. The query
      is parsed (blank values kept, percent-escapes and ``+`` decoded as UTF-8) and re-added in
      sorted form, so its original encoding and order do not matter.
    - GET: the request parameters merged with the query (the query wins on a clashing key);
      ``base + "?" + "k=v&k=v..."`` with keys sorted and each key's values sorted; just ``base``
      when there is nothing.
    - POST with parameters: ``base + "?" + sorted query (+ "." if there is a query)`` followed by
      the parameters as ``keyvalue`` pairs with no separator, keys sorted, each key's values sorted.
      The ``?`` is there even without a query.
    - POST without parameters: ``base`` plus ``"?" + sorted query`` when the URL has one.

    The SDK reads a query with non-ASCII characters as Latin-1 (or fails); this reads it as UTF-8,
    the encoding Plivo sends parameters in.
    """
    verb = method.strip().upper()
    if verb not in SIGNED_METHODS:
        raise ValueError(f"Plivo signs only GET and POST requests, not {method!r}")
    parts = urlsplit(url.strip())
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = {key: list(values) for key, values in _parse_query(parts.query).items()}
    body = form_lists(params)
    if verb == "GET":
        merged = {**body, **query}
        text = _sorted_query(merged)
        return f"{base}?{text}" if text else base
    text = _sorted_query(query)
    if not body:
        return f"{base}?{text}" if text else base
    separator = "." if text else ""
    pairs = "".join(f"{key}{value}" for key in sorted(body) for value in sorted(body[key]))
    return f"{base}?{text}{separator}{pairs}"


def v3_signature(
    *, method: str, url: str, params: FormParams | None, nonce: str, auth_token: str
) -> str:
    """Base64 HMAC-SHA256 of ``v3_signed_url(method, url, params) + "." + nonce``."""
    message = f"{v3_signed_url(method, url, params)}.{nonce}"
    return _hmac_base64(auth_token, message)


def v2_signature(*, url: str, nonce: str, auth_token: str) -> str:
    """Base64 HMAC-SHA256 of ``scheme://netloc/path`` (query dropped) immediately followed by
    ``nonce``, as https://www.plivo.com/docs/messaging/concepts/signature-validation describes."""
    parts = urlsplit(url.strip())
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return _hmac_base64(auth_token, base + nonce)


def candidate_urls(
    *,
    hook_url: str | None = None,
    public_url: str | None = None,
    route_path: str = "",
    query: str | FormParams | None = None,
) -> tuple[str, ...]:
    """The URLs Plivo may have called, most explicit first, each with the request's query.

    - ``public_url``: what the user configured because a proxy hides the real URL. It may be the
      full endpoint URL or the endpoint's base (``https://dify.example.com/e/<hook_id>``); in the
      latter case ``route_path`` (the endpoint's path, e.g. ``/plivo/sms``) is appended. For a
      trigger subscription it is the subscription's endpoint URL and ``route_path`` stays empty.
    - ``hook_url``: the ``Dify-Hook-Url`` header, already the full public URL without query.
    - ``query``: the query of the incoming request (raw string or parsed mapping). Plivo signs the
      query of the URL it calls, and Dify passes it on re-encoded; since the V3 algorithm signs the
      decoded, sorted query, re-encoding does not matter. A query inside ``public_url`` is ignored
      in favour of the one that actually arrived.

    Values that are not absolute http(s) URLs are skipped; duplicates are dropped.
    """
    query_text = _query_text(query)
    found: list[str] = []
    for raw, path in ((public_url, route_path), (hook_url, "")):
        base = _absolute_base(raw)
        if base is None:
            continue
        if path:
            base = _join_path(base, path)
        url = f"{base}?{query_text}" if query_text else base
        if url not in found:
            found.append(url)
    return tuple(found)


def verify_request(
    *,
    method: str,
    urls: Iterable[str],
    params: FormParams | None,
    headers: HeaderSource | Mapping[str, str],
    auth_tokens: str | Sequence[str],
) -> SignatureCheck:
    """Check a webhook request's Plivo signature; never raises for hostile input.

    ``urls``: candidate URLs Plivo may have called, with the query (see :func:`candidate_urls`);
    the ``https`` twin of each ``http`` URL is tried as well. ``params``: the form body for POST,
    the query parameters (or nothing, when they are in the URL) for GET. ``headers`` are matched
    case-insensitively; repeated headers are combined. ``auth_tokens``: every token that may have
    signed (the account's, and the main account's for ``-Ma-`` headers); blank ones are ignored.

    V3 headers decide when present; V2 is checked only when the request has no V3 header.
    """
    verb = method.strip().upper()
    if verb not in SIGNED_METHODS:
        return SignatureCheck(valid=False, reason=REASON_METHOD)
    tokens = _usable_tokens(auth_tokens)
    if not tokens:
        return SignatureCheck(valid=False, reason=REASON_NO_KEY)
    checked = _with_https_twins(urls)
    if not checked:
        return SignatureCheck(valid=False, reason=REASON_NO_URL)
    found = _lower_headers(headers)
    present_v3 = [name for name in V3_HEADERS if found.get(name.lower())]
    present_v2 = [name for name in V2_HEADERS if found.get(name.lower())]
    if present_v3:
        version, names, nonce_header = VERSION_V3, present_v3, HEADER_V3_NONCE
    elif present_v2:
        version, names, nonce_header = VERSION_V2, present_v2, HEADER_V2_NONCE
    else:
        return SignatureCheck(valid=False, reason=REASON_NO_SIGNATURE, checked_urls=checked)
    nonce = found.get(nonce_header.lower(), "")
    if not nonce:
        return SignatureCheck(
            valid=False, reason=REASON_NO_NONCE, version=version, checked_urls=checked
        )
    body = form_lists(params)
    for url in checked:
        expected = [
            _expected(version, verb, url, body, nonce, token).encode("ascii") for token in tokens
        ]
        for name in names:
            if _any_match(expected, found[name.lower()]):
                return SignatureCheck(
                    valid=True,
                    version=version,
                    header=name,
                    url=url,
                    checked_urls=checked,
                    nonce=nonce,
                )
    return SignatureCheck(
        valid=False,
        reason=(
            f"{REASON_MISMATCH} ({', '.join(names)} checked against {len(checked)} URL(s) and "
            f"{len(tokens)} Auth Token(s))"
        ),
        version=version,
        checked_urls=checked,
    )


def _expected(
    version: str, method: str, url: str, body: Mapping[str, list[str]], nonce: str, token: str
) -> str:
    if version == VERSION_V3:
        return v3_signature(method=method, url=url, params=body, nonce=nonce, auth_token=token)
    return v2_signature(url=url, nonce=nonce, auth_token=token)


def _any_match(expected: Sequence[bytes], header_value: str) -> bool:
    """Constant-time comparison of every expected signature with every provided one.

    Every pair is compared (no early exit on the first match) so the time taken does not tell
    which token or position matched.
    """
    provided = [
        part.strip().encode("utf-8", "replace")
        for part in header_value.split(",")[:MAX_SIGNATURES_PER_HEADER]
    ]
    matched = False
    for candidate in provided:
        for wanted in expected:
            matched |= hmac.compare_digest(candidate, wanted)
    return matched


def _hmac_base64(auth_token: str, message: str) -> str:
    digest = hmac.new(auth_token.encode("utf-8"), message.encode("utf-8"), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def _parse_query(query: str) -> dict[str, list[str]]:
    return parse_qs(query, keep_blank_values=True, encoding="utf-8", errors="replace")


def _sorted_query(values: Mapping[str, list[str]]) -> str:
    return "&".join(f"{key}={value}" for key in sorted(values) for value in sorted(values[key]))


def _query_text(query: str | FormParams | None) -> str:
    if query is None:
        return ""
    if isinstance(query, str):
        return query.strip().lstrip("?")
    return urlencode(form_lists(query), doseq=True)


def _absolute_base(raw: str | None) -> str | None:
    """``scheme://netloc/path`` of an absolute http(s) URL, else None."""
    if not raw or not raw.strip():
        return None
    try:
        parts = urlsplit(raw.strip())
    except ValueError:  # e.g. an unbalanced IPv6 bracket
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc, parts.path, "", ""))


def _join_path(base: str, route_path: str) -> str:
    """Append the endpoint path unless ``base`` already ends with it (a full URL was pasted)."""
    path = "/" + route_path.strip().lstrip("/")
    if urlsplit(base).path.endswith(path):
        return base
    return base.rstrip("/") + path


def _with_https_twins(urls: Iterable[str]) -> tuple[str, ...]:
    found: list[str] = []
    for raw in urls:
        url = raw.strip() if isinstance(raw, str) else ""
        if not url:
            continue
        for candidate in (url, _https_twin(url)):
            if candidate and candidate not in found:
                found.append(candidate)
    return tuple(found)


def _https_twin(url: str) -> str | None:
    """``http://host[:80]/p?q`` → ``https://host/p?q``: Plivo called the proxy over TLS."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() != "http":
        return None
    netloc = parts.netloc[:-3] if parts.netloc.endswith(":80") else parts.netloc
    return urlunsplit(("https", netloc, parts.path, parts.query, parts.fragment))


def _lower_headers(headers: HeaderSource | Mapping[str, str]) -> dict[str, str]:
    """Header names lower-cased; a header sent twice becomes one comma-separated value."""
    found: dict[str, str] = {}
    for name, value in headers.items():
        key = str(name).strip().lower()
        text = str(value).strip()
        if not text:
            continue
        found[key] = f"{found[key]},{text}" if key in found else text
    return found


def _usable_tokens(auth_tokens: str | Sequence[str]) -> tuple[str, ...]:
    """Stripped, non-empty, de-duplicated tokens; a bare string is one token, not its letters."""
    raw = (auth_tokens,) if isinstance(auth_tokens, str) else tuple(auth_tokens)
    tokens: list[str] = []
    for token in raw:
        text = token.strip() if isinstance(token, str) else ""
        if text and text not in tokens:
            tokens.append(text)
    return tuple(tokens)


__all__ = [
    "HEADER_MA_V2",
    "HEADER_MA_V3",
    "HEADER_V2",
    "HEADER_V2_NONCE",
    "HEADER_V3",
    "HEADER_V3_NONCE",
    "HOOK_URL_HEADER",
    "MAX_SIGNATURES_PER_HEADER",
    "REASON_METHOD",
    "REASON_MISMATCH",
    "REASON_NO_KEY",
    "REASON_NO_NONCE",
    "REASON_NO_SIGNATURE",
    "REASON_NO_URL",
    "VERSION_V2",
    "VERSION_V3",
    "FormParams",
    "HeaderSource",
    "SignatureCheck",
    "candidate_urls",
    "form_lists",
    "v2_signature",
    "v3_signature",
    "v3_signed_url",
    "verify_request",
]
