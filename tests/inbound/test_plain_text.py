"""Answers texted to customers: reasoning removed, markdown turned into the words a person types."""

from __future__ import annotations

import pytest

from plivo_api.inbound.plain_text import plain_text, without_reasoning
from plivo_api.inbound.replies import plan_reply

DIFY_DETAILS = (
    '<details style="color:gray;background-color: #f8f8f8;padding: 8px;border-radius: 4px;" open> '
    "<summary> Thinking... </summary>The user asks about opening hours. I should be brief."
    "</details>"
)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("<think>The user wants a table.</think>\n\nBooked for 7.", "Booked for 7."),
        ("<THINK>\nshouting\n</THINK>Booked.", "Booked."),
        ("<thinking>quietly</thinking>Booked.", "Booked."),
        (f"{DIFY_DETAILS}\n\nWe open at 9.", "We open at 9."),
        ("<think>outer <think>inner</think> still outer</think>Done", "Done"),
        ("<details><summary>a</summary><details>b</details> c</details>Done", "Done"),
        ("Answer first. <think>an unfinished thought", "Answer first."),
        ("<details open>never closed", ""),
        ("reasoning whose opening tag was in the prompt</think>The answer.", "The answer."),
        ("Before <think>x</think> between <think>y</think> after", "Before  between  after"),
    ],
)
def test_reasoning_blocks_are_removed(answer: str, expected: str) -> None:
    assert without_reasoning(answer).strip() == expected


@pytest.mark.parametrize(
    ("markdown", "plain"),
    [
        ("**bold** and __bold__", "bold and bold"),
        ("*italic* and _italic_", "italic and italic"),
        ("***both*** and **bold _and italic_ inside**", "both and bold and italic inside"),
        ("~~struck~~ out", "struck out"),
        ("[our site](https://example.com/a)", "our site (https://example.com/a)"),
        ('[site](https://example.com "Title")', "site (https://example.com)"),
        ("[https://example.com](https://example.com)", "https://example.com"),
        ("[mail us](mailto:hi@example.com)", "mail us (hi@example.com)"),
        ("![the logo](https://example.com/l.png)", "the logo (https://example.com/l.png)"),
        ("<https://example.com>", "https://example.com"),
        ("# Title\n## Sub ##\nText", "Title\nSub\nText"),
        ("Title\n=====\nText", "Title\nText"),
        ("- one\n* two\n+ three\n• four", "- one\n- two\n- three\n- four"),
        ("  * nested\n    - deeper", "- nested\n    - deeper"),
        ("- [ ] todo\n- [x] done", "- todo\n- done"),
        ("1. first\n2) second", "1. first\n2) second"),
        ("> quoted\n> > twice", "quoted\ntwice"),
        ("Above\n\n---\n\nBelow", "Above\n\nBelow"),
        ("Above\n\n* * *\n\nBelow", "Above\n\nBelow"),
        ("| a | b |\n|---|:---:|\n| 1 | 2 |", "| a | b |\n| 1 | 2 |"),
        ("line one<br>line two<br/>three", "line one\nline two\nthree"),
        ("Too\n\n\n\nmany blank lines  ", "Too\n\nmany blank lines"),
        (r"\*not italic\* and 1\. not a list", "*not italic* and 1. not a list"),
    ],
)
def test_markdown_becomes_plain_text(markdown: str, plain: str) -> None:
    assert plain_text(markdown) == plain


@pytest.mark.parametrize(
    "text",
    [
        "Use snake_case_names and my_var_ as written",
        "2*3*4 = 24, and 5 * 6 = 30",
        "Prices: $5 - $10",
        "Call *611 from your phone",
        "A_B and C_D",
        "Hi Alice, your table for 2 is booked at 7 pm. Reply STOP to opt out.",
        "Ünïcödé, emoji 🎉 and 中文 stay",
    ],
)
def test_plain_text_is_left_as_it_is(text: str) -> None:
    assert plain_text(text) == text


def test_code_keeps_its_lines_and_marks_as_written() -> None:
    answer = "Run this:\n\n```python\nprint('**not bold**')\n  x = a_b * c\n```\nthen `make_it` go."
    assert plain_text(answer) == (
        "Run this:\n\nprint('**not bold**')\n  x = a_b * c\nthen make_it go."
    )


def test_an_unclosed_code_fence_keeps_the_code() -> None:
    assert plain_text("Try:\n```\nls -la **/*.py") == "Try:\nls -la **/*.py"


def test_a_typical_reasoning_models_answer_becomes_one_clean_text() -> None:
    answer = (
        f"{DIFY_DETAILS}\n\n"
        "## Your booking\n\n"
        "Thanks, **Alice**! Here is what I booked:\n\n"
        "* **Date:** Friday\n"
        "* **Time:** _7 pm_\n\n"
        "Details: [booking 42](https://example.com/b/42)."
    )
    assert plain_text(answer) == (
        "Your booking\n\n"
        "Thanks, Alice! Here is what I booked:\n\n"
        "- Date: Friday\n"
        "- Time: 7 pm\n\n"
        "Details: booking 42 (https://example.com/b/42)."
    )


def test_the_reply_sent_is_the_plain_text() -> None:
    plan = plan_reply(
        "<think>Short answer needed.</think>**Yes**, we are open [today](https://x.io)."
    )
    assert plan.messages == ("Yes, we are open today (https://x.io).",)


def test_an_answer_that_is_only_reasoning_sends_nothing() -> None:
    assert plan_reply("<think>I have nothing to say</think>\n").empty
