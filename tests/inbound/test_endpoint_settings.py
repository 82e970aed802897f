"""endpoints/plivo_sms.yaml is bound to the code that reads it (plivo_api/inbound/settings.py):
every declared setting is read and changes the endpoint's settings, every setting read is
declared, and the YAML's defaults (and a select's options) are the code's."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from plivo_api.inbound.settings import EndpointSettings

ROOT = Path(__file__).resolve().parents[2]
DECLARED: dict[str, dict[str, Any]] = {
    setting["name"]: setting
    for setting in yaml.safe_load((ROOT / "endpoints" / "plivo_sms.yaml").read_text("utf-8"))[
        "settings"
    ]
}
SAMPLE_VALUES: dict[str, object] = {
    "text-input": "some text",
    "secret-input": "a-secret",
    "app-selector": {"app_id": "some-app"},
}


class RecordingMapping(Mapping[str, object]):
    """A settings mapping that remembers every key the code asks for."""

    def __init__(self, values: Mapping[str, object]) -> None:
        self.values = dict(values)
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> object:
        self.asked.add(key)
        return self.values[key]

    def get(self, key: str, default: object = None) -> object:
        self.asked.add(key)
        return self.values.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(self.values)

    def __len__(self) -> int:
        return len(self.values)


def test_every_setting_read_is_declared_and_every_declared_one_is_read() -> None:
    recording = RecordingMapping({"not_a_setting": "x"})  # an empty mapping is read as none
    EndpointSettings.from_mapping(recording)
    assert recording.asked == set(DECLARED)


@pytest.mark.parametrize("name", sorted(DECLARED))
def test_every_declared_setting_changes_what_the_endpoint_does(name: str) -> None:
    setting = DECLARED[name]
    if setting["type"] == "boolean":
        value: object = not setting.get("default", False)
    elif "options" in setting:  # a select: its last option must differ from the default
        value = setting["options"][-1]["value"]
    else:
        value = SAMPLE_VALUES[setting["type"]]
    assert EndpointSettings.from_mapping({name: value}) != EndpointSettings.from_mapping({})


@pytest.mark.parametrize("name", sorted(name for name, s in DECLARED.items() if "default" in s))
def test_a_declared_default_is_the_codes_default(name: str) -> None:
    default = DECLARED[name]["default"]
    assert EndpointSettings.from_mapping({name: default}) == EndpointSettings.from_mapping({})
