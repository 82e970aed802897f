"""One Dify conversation per (Plivo number, sender, app)."""

from __future__ import annotations

from devtools.daemon import StandInStorage
from plivo_api.inbound.conversations import CONVERSATION_IDLE_SECONDS, Conversations
from plivo_api.kvstore import StorageScope

SCOPE = StorageScope.for_account("MAXXXXXXXXXXXXXXXXXX")
OURS, ALICE, BOB = "+14155550199", "+14155552671", "+14155552672"
CONVERSATION = "3f1c2a9e-0000-4000-8000-0000000000c1"


class Clock:
    now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_each_sender_app_and_number_has_its_own_thread() -> None:
    store = StandInStorage()
    conversations = Conversations(store, SCOPE)
    assert conversations.current(OURS, ALICE, "bot") is None
    conversations.remember(OURS, ALICE, "bot", CONVERSATION)
    assert conversations.current(OURS, ALICE, "bot") == CONVERSATION
    assert conversations.current(OURS, BOB, "bot") is None
    assert conversations.current(OURS, ALICE, "other-bot") is None
    assert conversations.current("+14155550100", ALICE, "bot") is None
    assert "4155552671" not in repr(store.snapshot())


def test_a_forgotten_or_idle_conversation_starts_over() -> None:
    store, clock = StandInStorage(), Clock()
    conversations = Conversations(store, SCOPE, clock=clock)
    conversations.remember(OURS, ALICE, "bot", CONVERSATION)
    clock.now += CONVERSATION_IDLE_SECONDS + 1
    assert conversations.current(OURS, ALICE, "bot") is None
    conversations.remember(OURS, ALICE, "bot", CONVERSATION)
    conversations.forget(OURS, ALICE, "bot")
    assert conversations.current(OURS, ALICE, "bot") is None
    conversations.forget(OURS, ALICE, "bot")  # forgetting twice is harmless
    assert store.snapshot() == {}


def test_only_ids_dify_issues_are_kept() -> None:
    store = StandInStorage()
    conversations = Conversations(store, SCOPE)
    for bogus in ("", "a b", "x" * 65, "../etc", "<script>"):
        conversations.remember(OURS, ALICE, "bot", bogus)
    assert store.snapshot() == {}
