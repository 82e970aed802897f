"""Tool parameters as Dify delivers them: coerced to clean values, or refused naming the parameter.

Dify passes what the model or the workflow wrote, unvalidated: numbers as text, lists for strings.
"""

from __future__ import annotations

import pytest

from plivo_api.errors import InputError
from plivo_api.params import (
    MAX_TEXT_PARAMETER_CHARS,
    Choice,
    NumberRange,
    boolean,
    choice,
    http_url,
    message_text,
    number,
    text,
    text_items,
)

# -- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("  hello ", "hello"),
        (42, "42"),
        (3.0, "3"),
        (2.5, "2.5"),
        (["a", "b"], "a, b"),
        (("a", 1), "a, 1"),
        ("", None),
        ("   ", None),
        (None, None),
        ([], None),
    ],
)
def test_text_accepts_what_models_write(value: object, expected: str | None) -> None:
    assert text({"p": value}, "p") == expected


def test_text_joins_a_list_with_the_given_joiner() -> None:
    assert text({"p": ["a", "b"]}, "p", joiner="\n") == "a\nb"


def test_text_keeps_edge_spaces_when_asked() -> None:
    assert text({"p": "  hi  "}, "p", strip=False) == "  hi  "


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "expected text, got a boolean"),
        ({"a": 1}, "expected text, got dict"),
        (["a", True], "expected text or a list of texts"),
        (["a", None], "expected text or a list of texts"),
        ("x" * (MAX_TEXT_PARAMETER_CHARS + 1), "is far too long"),
    ],
)
def test_text_refuses_other_shapes_naming_the_parameter(value: object, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as caught:
        text({"p": value}, "p")
    assert caught.value.parameter == "p"
    assert str(caught.value).startswith("p")


def test_a_required_text_must_be_given() -> None:
    with pytest.raises(InputError, match="p is required") as caught:
        text({"p": "  "}, "p", required=True)
    assert caught.value.parameter == "p"


@pytest.mark.parametrize(
    "value", ["Your code is {{#1711.code#}}", "{{#sys.query#}}", ["ok", "{{#1711.text#}}"]]
)
def test_an_unresolved_workflow_variable_is_refused_naming_it(value: object) -> None:
    with pytest.raises(InputError) as caught:
        text({"message": value}, "message")
    message = str(caught.value)
    assert caught.value.parameter == "message"
    assert "unresolved workflow variable {{#" in message
    assert "Check the node that should produce it" in message


def test_the_variable_named_is_the_one_left_unresolved() -> None:
    with pytest.raises(InputError, match=r"\{\{#1711\.code#\}\}"):
        text({"message": "Code {{#1711.code#}} expires soon"}, "message")


@pytest.mark.parametrize("written", ["{{name}}", "{{ #1711.code# }}", "{#1711.code#}", "{{##}}"])
def test_braces_that_are_not_a_dify_variable_are_content(written: str) -> None:
    assert text({"message": written}, "message") == written


def test_a_caller_that_reports_placeholders_per_item_may_let_them_through() -> None:
    raw = "+14155552671, {{#1711.phone#}}"
    assert text({"to": raw}, "to", placeholders_allowed=True) == raw


# -- text_items -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('["+14155552671", "+442079460030"]', "+14155552671\n+442079460030"),
        ('  ["+14155552671"]  ', "+14155552671"),
        ("[14155552671, 442079460030]", "14155552671\n442079460030"),
        (["+14155552671", "+442079460030"], "+14155552671\n+442079460030"),
        ("+14155552671, +442079460030", "+14155552671, +442079460030"),
        ("[not json", "[not json"),  # left for the caller to report item by item
        ('[{"to": 1}]', '[{"to": 1}]'),  # not a list of texts
        ("[true]", "[true]"),
        ("[]", None),  # an empty array is no value
        (None, None),
    ],
)
def test_text_items_reads_lists_and_json_arrays_written_as_text(
    value: object, expected: str | None
) -> None:
    assert text_items({"to": value}, "to") == expected


def test_text_items_leaves_unresolved_variables_to_the_caller() -> None:
    assert text_items({"to": '["{{#1.phone#}}"]'}, "to") == "{{#1.phone#}}"


# -- message_text -----------------------------------------------------------------------------


def test_message_text_keeps_spaces_inside_and_at_the_edges() -> None:
    assert message_text({"message": "  Hi  there \n"}) == "  Hi  there \n"


def test_a_list_given_as_message_becomes_one_line_per_item() -> None:
    assert message_text({"message": ["Line one", "Line two"]}) == "Line one\nLine two"


@pytest.mark.parametrize("blank", [None, "", "   ", "\n\t"])
def test_a_blank_message_is_empty(blank: object) -> None:
    assert message_text({"message": blank}) == ""


@pytest.mark.parametrize(
    ("value", "codepoint", "position"),
    [("a\x00b", "U+0000", 2), ("\x1b[31mred", "U+001B", 1), ("ok\x7f", "U+007F", 3)],
)
def test_control_characters_in_a_message_are_refused_naming_message(
    value: str, codepoint: str, position: int
) -> None:
    with pytest.raises(InputError) as caught:
        message_text({"message": value})
    assert caught.value.parameter == "message"
    assert f"control character {codepoint} at position {position}" in str(caught.value)


def test_tabs_and_line_breaks_are_message_content() -> None:
    assert message_text({"message": "a\tb\r\nc"}) == "a\tb\r\nc"


def test_message_text_reads_the_given_parameter() -> None:
    with pytest.raises(InputError) as caught:
        message_text({"body": "x\x00"}, "body")
    assert caught.value.parameter == "body"


# -- http_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/x.png",
        "http://example.com",
        "https://res.cloudinary.com/demo/image/upload/w_300,h_200,c_fill/sample.jpg",
        "https://8.8.8.8/x.png",
    ],
)
def test_public_http_urls_are_accepted_unchanged(url: str) -> None:
    assert http_url(url, "media_urls", public=True) == url


def test_an_upper_case_scheme_is_sent_lower_case_and_the_rest_kept() -> None:
    assert http_url("HTTPS://EXAMPLE.COM/a?b=1,2", "media_urls") == "https://EXAMPLE.COM/a?b=1,2"


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com/x",
        "example.com/x.png",
        "https://",
        "https:///x",
        "javascript:alert(1)",
        "https://[::1/x",
        "https://example.com/a\tb",
        "https://example.com/\u00a0x",
        "https://exa mple.com",
    ],
)
def test_anything_but_an_http_url_is_refused(url: str) -> None:
    with pytest.raises(InputError, match="is not an http\\(s\\) URL") as caught:
        http_url(url, "callback_url")
    assert caught.value.parameter == "callback_url"


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://localhost/x.png", "localhost"),
        ("http://LOCALHOST./x.png", "localhost"),
        ("http://127.0.0.1/x.png", "127.0.0.1"),
        ("http://10.0.0.5/x.png", "10.0.0.5"),
        ("http://192.168.1.20/x.png", "192.168.1.20"),
        ("http://172.16.0.1/x.png", "172.16.0.1"),
        ("http://169.254.169.254/latest", "169.254.169.254"),
        ("http://[::1]/x.png", "::1"),
        ("http://printer.local/x.png", "printer.local"),
        ("http://nas.internal/x.png", "nas.internal"),
        ("http://intranet/x.png", "intranet"),
    ],
)
def test_hosts_plivo_cannot_reach_are_refused_for_public_urls(url: str, host: str) -> None:
    with pytest.raises(InputError) as caught:
        http_url(url, "media_urls", public=True)
    message = str(caught.value)
    assert caught.value.parameter == "media_urls"
    assert f"{url!r}" in message
    assert "Plivo's servers cannot reach" in message
    assert host in message.lower()


def test_private_hosts_are_accepted_where_reachability_is_not_required() -> None:
    assert http_url("http://127.0.0.1:8080/hook", "callback_url") == "http://127.0.0.1:8080/hook"


# -- numbers, booleans, choices ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 7), ("", 7), ("  ", 7), (5, 5), ("5", 5), (" 5 ", 5), (5.0, 5), ("5.0", 5), (0, 0)],
)
def test_number_reads_whole_numbers_in_any_shape(value: object, expected: int) -> None:
    assert number({"n": value}, "n", default=7, minimum=0, maximum=10) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        (True, "got a boolean"),
        ("soon", "is not a number"),
        (2.5, "is not a whole number"),
        (11, "is out of range; use 0 to 10"),
        (-1, "is out of range; use 0 to 10"),
        (float("inf"), "is out of range"),
        ("nan", "is out of range"),
        (10**400, "is out of range; use 0 to 10"),
        ([5], "expected a whole number, got list"),
    ],
)
def test_number_refuses_with_the_range(value: object, fragment: str) -> None:
    with pytest.raises(InputError, match=fragment) as caught:
        number({"n": value}, "n", default=None, minimum=0, maximum=10)
    assert caught.value.parameter == "n"
    assert str(caught.value).startswith("n: ")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, False),
        ("", False),
        (True, True),
        ("true", True),
        (" Yes ", True),
        ("1", True),
        (1, True),
        ("off", False),
        ("FALSE", False),
        (0, False),
    ],
)
def test_boolean_reads_what_models_write(value: object, expected: bool) -> None:
    assert boolean({"b": value}, "b", default=False) is expected


def test_a_blank_boolean_keeps_its_default() -> None:
    assert boolean({"b": ""}, "b", default=True) is True
    assert boolean({}, "b", default=True) is True


@pytest.mark.parametrize("value", ["maybe", 2, [True]])
def test_boolean_refuses_anything_else(value: object) -> None:
    with pytest.raises(InputError, match="expected true or false") as caught:
        boolean({"b": value}, "b", default=False)
    assert caught.value.parameter == "b"


def test_choice_accepts_an_option_and_defaults_when_blank() -> None:
    assert choice({"c": " GET "}, "c", ("POST", "GET"), default="POST") == "GET"
    assert choice({"c": ""}, "c", ("POST", "GET"), default="POST") == "POST"
    assert choice({"c": False}, "c", ("true", "false"), default="true") == "false"


def test_choice_refuses_other_values_listing_the_options() -> None:
    with pytest.raises(InputError, match="'PUT' is not one of: GET, POST") as caught:
        choice({"c": "PUT"}, "c", ("POST", "GET"), default="POST")
    assert caught.value.parameter == "c"


def test_a_case_insensitive_choice_accepts_any_case() -> None:
    spec = Choice(("any", "inbound"), "any", case_insensitive=True)
    assert spec.read({"d": " Inbound "}, "d") == "inbound"
    with pytest.raises(InputError):
        Choice(("any", "inbound"), "any").read({"d": "Inbound"}, "d")


def test_a_number_range_reads_with_its_declared_default() -> None:
    spec = NumberRange(1, 20, 20)
    assert spec.read_int({}, "limit") == 20
    assert spec.read_int({"limit": "5"}, "limit") == 5
    with pytest.raises(InputError, match="use 1 to 20"):
        spec.read({"limit": 21}, "limit")


def test_a_number_range_without_default_may_be_absent_but_not_read_as_int() -> None:
    spec = NumberRange(5, 10)
    assert spec.read({}, "n") is None
    with pytest.raises(ValueError, match="has no default"):
        spec.read_int({}, "n")
