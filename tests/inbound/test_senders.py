"""Per-sender records: conversations, the reply rate limit, answered messages, bounded storage."""

from __future__ import annotations

import json

from devtools.daemon import StandInStorage
from plivo_api.inbound.senders import (
    CONVERSATION_IDLE_SECONDS,
    RATE_WINDOW_SECONDS,
    REPLIES_PER_SENDER_PER_MINUTE,
    SenderBook,
)
from plivo_api.webhooks.kvstore import StorageScope

SCOPE = StorageScope.for_account("MAXXXXXXXXXXXXXXXXXX")
ALICE, BOB, OURS = "+14155552671", "+14155552672", "+14155550199"
CONVERSATION = "c0ffee00-0000-4000-8000-000000000001"


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def remember(book: SenderBook, sender: str, conversation: str | None, **kwargs: object) -> None:
    record = book.read(sender)
    book.record(record, thread=book.thread(OURS, "bot"), conversation_id=conversation, **kwargs)  # type: ignore[arg-type]
    book.save(record)


def test_each_sender_number_and_app_has_its_own_thread() -> None:
    store = StandInStorage()
    book = SenderBook(store, SCOPE)
    remember(book, ALICE, CONVERSATION)
    assert book.conversation(book.read(ALICE), book.thread(OURS, "bot")) == CONVERSATION
    assert book.conversation(book.read(ALICE), book.thread(OURS, "other-app")) is None
    assert book.conversation(book.read(BOB), book.thread(OURS, "bot")) is None
    remember(book, ALICE, "not an id!")  # only ids Dify issues are kept
    assert book.conversation(book.read(ALICE), book.thread(OURS, "bot")) == CONVERSATION


def test_the_rate_limit_counts_replies_per_sender_in_a_sliding_minute() -> None:
    clock = Clock()
    book = SenderBook(StandInStorage(), SCOPE, clock=clock)
    for _ in range(REPLIES_PER_SENDER_PER_MINUTE):
        assert book.allows_reply(book.read(ALICE))
        remember(book, ALICE, None, reply=True)
        clock.now += 1
    assert not book.allows_reply(book.read(ALICE))
    assert book.allows_reply(book.read(BOB))
    clock.now += RATE_WINDOW_SECONDS - REPLIES_PER_SENDER_PER_MINUTE + 0.5
    assert book.allows_reply(book.read(ALICE))  # the first reply left the window


def test_stale_records_go_and_storage_stays_bounded_at_any_number_of_senders() -> None:
    """A rate-limit entry goes after its minute, a conversation after its 30 days of silence:
    a month of distinct senders takes under 100 bytes each (100,000 fit the declared size with
    room for everything else), and the month after replaces it instead of adding to it."""
    store, clock = StandInStorage(), Clock()
    book = SenderBook(store, SCOPE, clock=clock)
    month = 20_000
    for n in range(month):
        clock.now += CONVERSATION_IDLE_SECONDS / month
        remember(book, f"+1415{n:07d}", CONVERSATION, job=f"{n:012x}", reply=True)
    first_month = sum(len(value) for value in store.snapshot().values())
    assert first_month < month * 100
    for n in range(month):
        clock.now += CONVERSATION_IDLE_SECONDS / month
        remember(book, f"+1416{n:07d}", CONVERSATION, job=f"{n:012x}", reply=True)
    # Stale senders go when their shard is next written, so a second month (in the same shards)
    # keeps what it uses plus what the last days before each write left: never a second month.
    assert sum(len(value) for value in store.snapshot().values()) < first_month * 1.3
    clock.now += CONVERSATION_IDLE_SECONDS + 1
    remember(book, ALICE, None)  # a write of a shard drops whatever went stale in it
    shard = json.loads(store.get(book.read(ALICE).key))
    assert shard["e"] == {}
