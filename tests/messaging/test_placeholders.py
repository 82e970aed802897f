"""Template placeholders left in a text are found, as written; ordinary texts find none."""

from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plivo_api.messaging.placeholders import MAX_INSIDE_CHARS, describe, fill_in, find_placeholders


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hi {{name}}, your table is ready", ("{{name}}",)),
        ("Hi {{ customer.first_name }}!", ("{{ customer.first_name }}",)),
        ("Hi {{ name | title }}", ("{{ name | title }}",)),
        ("Hi {name}", ("{name}",)),
        ("Hi { name }", ("{ name }",)),
        ("Hi ${first_name}", ("{first_name}",)),
        ("Hi {user.name}", ("{user.name}",)),
        ("Hi {0}, see you at {1}", ("{0}", "{1}")),
        ("Olá {nome}", ("{nome}",)),
        ("こんにちは {{名前}} さん", ("{{名前}}",)),
        ("Hi [Name]", ("[Name]",)),
        ("Hi [NAME]", ("[NAME]",)),
        ("Hi [First Name]", ("[First Name]",)),
        ("Hi [first name], from [Your Company]", ("[first name]", "[Your Company]")),
        ("Hi [customer's name]", ("[customer's name]",)),
        ("Hi [first_name]", ("[first_name]",)),
        ("Hi [firstName]", ("[firstName]",)),
        ("Order <ORDER_ID> ships <date>", ("<ORDER_ID>", "<date>")),
        ("Hi <name>", ("<name>",)),
        ("Hi < name >", ("< name >",)),
        ("Your appointment is on [Appointment Date] at [time]", ("[Appointment Date]", "[time]")),
        ("Visit [insert link here]", ("[insert link here]",)),
        ("Thanks, [your business]", ("[your business]",)),
        ("Your code: [CODE]", ("[CODE]",)),
        ("Hi [Name] and [Name] again", ("[Name]",)),  # each once
        ("<see [Name]>", ("[Name]",)),  # what a refused candidate encloses is looked at too
        ("Track it: https://x.example/t/{{tracking_id}}", ("{{tracking_id}}",)),
        ("Track it: https://x.example/t/{id}", ("{id}",)),
        ("[Name] https://x.example/?q[name]=1 and <name>", ("[Name]", "<name>")),
    ],
)
def test_placeholders_are_found_as_written(text: str, expected: tuple[str, ...]) -> None:
    assert find_placeholders(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "See note [1] and [2].",
        "Footnotes [12], [a], [x], [ ], [...]",
        "I <3 you",
        "Love you <3 <33",
        "Temperatures < 5 and > 2 tonight",
        "a<b and c>d",
        "Empty {} and {{}} and { }",
        '{"order": 42}',
        "Sad :-{ and happy }:) and >_< and ^_^ and <:-) and [:",
        "[Acme] Your code is 123456",
        "[Reminder] Your appointment is tomorrow",
        "[Appointment] Tomorrow at 10",
        "[URGENT] call us",
        "[sic]",
        "john[at]example[dot]com",
        "Read more: <https://example.com/a?b=c>",
        "Mail <ada@example.com>",
        "Search https://example.com/search?q[name]=ada&q[date]=today",
        "Shop at www.example.com/[link]/sale",
        "Open [our site](https://example.com)",
        "Hi [Name](https://example.com/profile)",
        "Use <b>bold</b> sparingly",
        "Press <Enter> to continue",
        "【Acme】验证码 123456",
        "The set {1, 2, 3} and {123} and {x y}",
        "Hi iPhone user [iPhone]",
    ],
)
def test_ordinary_texts_have_no_placeholders(text: str) -> None:
    assert find_placeholders(text) == ()


def test_describe_names_each_placeholder() -> None:
    assert describe(("{{name}}",)) == "the placeholder {{name}}"
    assert describe(("{a}", "[Name]", "<date>")) == "the placeholders {a}, [Name] and <date>"
    assert fill_in(("{a}",)) == "replace it with the real value, or ask the user for it"
    assert fill_in(("{a}", "{b}")) == "replace them with the real values, or ask the user for them"


# -- properties -------------------------------------------------------------------------------

# Ordinary prose: any characters except the four bracket pairs.
prose = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="{}[]<>"), max_size=200
)
identifiers = st.from_regex(r"[a-z][a-z0-9]{0,10}(_[a-z0-9]{1,8}){0,2}", fullmatch=True)
placeholder_words = st.sampled_from(
    ["Name", "First Name", "Customer Name", "Your Company", "date", "Order Number", "link"]
)
placeholders = st.one_of(
    identifiers.map(lambda i: "{{" + i + "}}"),
    identifiers.map(lambda i: "{" + i + "}"),
    placeholder_words.map(lambda w: f"[{w}]"),
    placeholder_words.map(lambda w: f"<{w}>"),
    identifiers.filter(lambda i: "_" in i).map(lambda i: f"[{i}]"),
)


@settings(max_examples=300, deadline=None)
@given(prose)
def test_text_without_brackets_never_has_placeholders(text: str) -> None:
    assert find_placeholders(text) == ()


@settings(max_examples=300, deadline=None)
@given(prose, placeholders, prose)
def test_a_placeholder_between_ordinary_words_is_found(
    before: str, placeholder: str, after: str
) -> None:
    assert find_placeholders(f"{before} {placeholder} {after}") == (placeholder,)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("{}[]<>aZ_ 0.:/-'\n"), max_size=300))
def test_whatever_is_found_is_in_the_text_and_bracketed(text: str) -> None:
    found = find_placeholders(text)
    assert len(set(found)) == len(found)
    for placeholder in found:
        assert placeholder in text
        assert (placeholder[0], placeholder[-1]) in {("{", "}"), ("[", "]"), ("<", ">")}


@settings(max_examples=100, deadline=None)
@given(
    st.from_regex(r"https://[a-z]{1,10}\.example/[a-z]{0,8}", fullmatch=True),
    st.sampled_from(["[name]", "[first_name]", "[Date]"]),
)
def test_square_brackets_inside_a_url_are_part_of_the_url(url: str, key: str) -> None:
    assert find_placeholders(f"See {url}?q{key}=1 now") == ()


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000,
        "<" * 100_000,
        "{" * 100_000,
        "{{" + "a" * 100_000,
        ("[" + "a" * (MAX_INSIDE_CHARS - 2) + "]") * 1_250,
        ("<" + "a " * (MAX_INSIDE_CHARS // 2 - 1) + ">") * 1_250,
        "https://a.example/x[name] [Sale] " * 3_000,
    ],
)
def test_pathological_texts_are_scanned_quickly(text: str) -> None:
    started = time.perf_counter()
    find_placeholders(text)
    assert time.perf_counter() - started < 1.0
