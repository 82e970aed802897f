"""Accounts the sandbox accepts, and the low-entropy demo credentials everybody may know.

The demo credentials are deliberately fake-looking (an Auth ID of repeated ``X``) so that secret
scanners never flag them and nobody mistakes them for a real Plivo account.
"""

from __future__ import annotations

from dataclasses import dataclass

DEMO_AUTH_ID = "MADEMOXXXXXXXXXXXXXX"
DEMO_AUTH_TOKEN = "demo-token-not-secret"

# A trial ("developer") account: it may only send to its verified numbers, as on Plivo.
DEMO_TRIAL_AUTH_ID = "MATRIALXXXXXXXXXXXXX"
DEMO_TRIAL_AUTH_TOKEN = "trial-token-not-secret"
DEMO_TRIAL_VERIFIED_NUMBER = "14155550123"


@dataclass
class SandboxAccount:
    """One Plivo account; ``verified_numbers`` only matters for ``account_type="developer"``."""

    auth_id: str
    auth_token: str
    name: str = "Sandbox Co"
    account_type: str = "standard"
    cash_credits: str = "12.50000"
    auto_recharge: bool = False
    billing_mode: str = "prepaid"
    timezone: str = "America/Los_Angeles"
    verified_numbers: tuple[str, ...] = ()

    @property
    def is_trial(self) -> bool:
        return self.account_type == "developer"

    def to_json(self, api_id: str) -> dict[str, object]:
        """The account object of Plivo's ``GET /v1/Account/{auth_id}/`` (https://www.plivo.com/docs/account/api/account)."""
        return {
            "account_type": self.account_type,
            "address": "",
            "api_id": api_id,
            "auth_id": self.auth_id,
            "auto_recharge": self.auto_recharge,
            "billing_mode": self.billing_mode,
            "cash_credits": self.cash_credits,
            "city": "",
            "name": self.name,
            "resource_uri": f"/v1/Account/{self.auth_id}/",
            "state": "",
            "timezone": self.timezone,
        }


DEMO_ACCOUNTS: tuple[SandboxAccount, ...] = (
    SandboxAccount(DEMO_AUTH_ID, DEMO_AUTH_TOKEN),
    SandboxAccount(
        DEMO_TRIAL_AUTH_ID,
        DEMO_TRIAL_AUTH_TOKEN,
        name="Sandbox Trial",
        account_type="developer",
        cash_credits="0.00000",
        verified_numbers=(DEMO_TRIAL_VERIFIED_NUMBER,),
    ),
)
