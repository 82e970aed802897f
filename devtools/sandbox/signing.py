"""Plivo's webhook signatures, V3 and V2, computed the way Plivo's own SDK verifies them.

Plivo signs every callback it sends (answer, hangup and ring URLs, message URLs, delivery-report
URLs) so the receiver can prove the request came from Plivo
(https://www.plivo.com/docs/voice/xml/request/validation,
https://www.plivo.com/docs/messaging/concepts/signature-validation). The sandbox signs its own
callbacks the same way, so a verifier tested against the sandbox works against Plivo.

V3 (headers ``X-Plivo-Signature-V3``, ``X-Plivo-Signature-Ma-V3``, ``X-Plivo-Signature-V3-Nonce``):
base64(HMAC-SHA256(Auth Token, signed URL + "." + nonce)), where the signed URL is

- ``scheme://netloc/path`` of the callback URL (netloc keeps a port; query and fragment dropped),
- for GET: + ``?`` + every query parameter of the URL *and* of the request, sorted by name, as
  ``name=value`` joined by ``&`` (values percent-decoded; a repeated name gives one pair per
  value, values sorted); nothing when there are none,
- for POST with form parameters: + ``?`` + the URL's own query sorted as above, + ``.`` when that
  query is not empty, + every body parameter sorted by name as ``namevalue`` with no separator,
- for POST without parameters: + ``?`` + the URL's sorted query only when it has one.

Query values are percent-decoded UTF-8 text, as are body values. (For ASCII queries this is what
the Python SDK computes; with a non-ASCII query value the SDK's verifier raises instead.)

V2 (headers ``X-Plivo-Signature-V2``, ``X-Plivo-Signature-Ma-V2``, ``X-Plivo-Signature-V2-Nonce``):
base64(HMAC-SHA256(Auth Token, ``scheme://netloc/path`` + nonce)); the query and the parameters
are not signed.

``-V3``/``-V2`` use the (sub)account's Auth Token and ``-Ma-`` always the main account's token; the
sandbox has no subaccounts, so both are the account's token unless a main token is given.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping, Sequence
from urllib.parse import parse_qs, urlparse, urlunparse

V3_HEADER = "X-Plivo-Signature-V3"
MA_V3_HEADER = "X-Plivo-Signature-Ma-V3"
V3_NONCE_HEADER = "X-Plivo-Signature-V3-Nonce"
V2_HEADER = "X-Plivo-Signature-V2"
MA_V2_HEADER = "X-Plivo-Signature-Ma-V2"
V2_NONCE_HEADER = "X-Plivo-Signature-V2-Nonce"
SIGNATURE_HEADERS = (
    V3_HEADER,
    MA_V3_HEADER,
    V3_NONCE_HEADER,
    V2_HEADER,
    MA_V2_HEADER,
    V2_NONCE_HEADER,
)
# Plivo's nonces are 20 decimal digits (e.g. "05429567804466091622" in its documentation).
NONCE_DIGITS = 20

ParamValue = str | Sequence[str]
Params = Mapping[str, ParamValue]


def new_nonce() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(NONCE_DIGITS))


def _split(url: str) -> tuple[str, bytes]:
    """(``scheme://netloc/path``, raw query bytes) of a URL, split as the Python SDK splits it."""
    parsed = urlparse(url.encode("utf-8"))
    base = urlunparse(
        (
            parsed.scheme.decode("utf-8"),
            parsed.netloc.decode("utf-8"),
            parsed.path.decode("utf-8"),
            "",
            "",
            "",
        )
    )
    return base, parsed.query


def _query_params(query: bytes) -> dict[str, list[str]]:
    return parse_qs(query.decode("utf-8"), keep_blank_values=True)


def _values(value: ParamValue) -> list[str] | None:
    """The sorted values of a repeated parameter, or None for a single value."""
    if isinstance(value, str):
        return None
    return sorted(value)


def _sorted_query(params: Params) -> str:
    pairs = []
    for key in sorted(params):
        values = _values(params[key])
        if values is None:
            pairs.append(f"{key}={params[key]}")
        else:
            pairs.append("&".join(f"{key}={value}" for value in values))
    return "&".join(pairs)


def _sorted_body(params: Params) -> str:
    parts = []
    for key in sorted(params):
        values = _values(params[key])
        if values is None:
            parts.append(f"{key}{params[key]}")
        else:
            parts.append("".join(f"{key}{value}" for value in values))
    return "".join(parts)


def v3_signed_url(method: str, url: str, params: Params | None = None) -> str:
    """The URL part of the V3 string to sign (see the module docstring)."""
    base, query = _split(url)
    body = dict(params or {})
    if method.upper() == "GET":
        merged: dict[str, ParamValue] = dict(body)
        merged.update(_query_params(query))  # the URL's own query wins, as in the SDK
        text = _sorted_query(merged)
        return f"{base}?{text}" if text else base
    text = _sorted_query(_query_params(query))
    if not body:
        return f"{base}?{text}" if text else base
    return f"{base}?{text}{'.' if text else ''}{_sorted_body(body)}"


def _hmac_base64(auth_token: str, message: str) -> str:
    digest = hmac.new(auth_token.encode("utf-8"), message.encode("utf-8"), hashlib.sha256)
    return base64.b64encode(digest.digest()).decode("ascii")


def v3_signature(method: str, url: str, params: Params | None, nonce: str, auth_token: str) -> str:
    return _hmac_base64(auth_token, f"{v3_signed_url(method, url, params)}.{nonce}")


def v2_signature(url: str, nonce: str, auth_token: str) -> str:
    return _hmac_base64(auth_token, _split(url)[0] + nonce)


def signature_headers(
    method: str,
    url: str,
    params: Params | None,
    auth_token: str,
    *,
    main_auth_token: str | None = None,
    v3_nonce: str | None = None,
    v2_nonce: str | None = None,
) -> dict[str, str]:
    """Every signature header Plivo sends with a callback, with fresh nonces unless given."""
    main = main_auth_token or auth_token
    v3n = v3_nonce or new_nonce()
    v2n = v2_nonce or new_nonce()
    return {
        V3_HEADER: v3_signature(method, url, params, v3n, auth_token),
        MA_V3_HEADER: v3_signature(method, url, params, v3n, main),
        V3_NONCE_HEADER: v3n,
        V2_HEADER: v2_signature(url, v2n, auth_token),
        MA_V2_HEADER: v2_signature(url, v2n, main),
        V2_NONCE_HEADER: v2n,
    }
