"""Bugs found in the segment counter, each pinned by a test."""

import pytest

from plivo_api.segments import analyze, split_parts


@pytest.mark.timeout(5)
@pytest.mark.parametrize(("count", "segments"), [(154, 3), (200, 3), (400, 6), (1601, 22)])
def test_long_runs_of_extension_characters_terminate_and_pack_76_pairs_per_part(count, segments):
    """Shrinking an over-full part by its whole excess jumped to its start and looped forever."""
    text = "€" * count
    parts = split_parts(text)
    assert analyze(text).segments == segments == len(parts)
    assert all(len(part) == 76 for part in parts[:-1])  # 152 septets: a 77th pair would split
    assert "".join(parts) == text


@pytest.mark.timeout(5)
def test_long_runs_of_astral_characters_terminate():
    text = "😀" * 400  # 800 UTF-16 units: 33 pairs (66 units) per 67-unit part
    parts = split_parts(text)
    assert all(len(part) == 33 for part in parts[:-1])
    assert analyze(text).segments == len(parts) == 13


def test_text_in_another_script_lists_a_capped_summary_of_its_characters():
    """A 737-character Cyrillic text listed every position of every letter: 700+ numbers."""
    text = ("абвгдежзийклмнопрстуфхцчшщъыьэюя" * 24)[:737]
    entries = analyze(text).non_gsm_characters
    assert len(entries) == 20
    assert all(len(e.positions) == 10 for e in entries)
    assert entries[0].to_dict() == {
        "char": "а",
        "codepoint": "U+0430",
        "positions": [1 + 32 * k for k in range(10)],
        "count": 24,
    }
