"""Accounts: sign-up and profiles, households and neighbourhood verification, API tokens.

Every other part uses accounts through these names (the contract in the project brief)."""

from hyperlocal.accounts.services.households import (
    current_verification,
    home_location,
    home_points,
    household_members,
    join_household,
    neighbourhood_cells,
    parse_point,
    set_home,
    verify_neighbourhood,
)
from hyperlocal.accounts.services.tokens import (
    issue_token,
    list_tokens,
    revoke_token,
    revoke_tokens,
    token_for_credentials,
    user_for_key,
)
from hyperlocal.accounts.services.users import signup, update_profile

__all__ = [
    "current_verification",
    "home_location",
    "home_points",
    "household_members",
    "issue_token",
    "join_household",
    "list_tokens",
    "neighbourhood_cells",
    "parse_point",
    "revoke_token",
    "revoke_tokens",
    "set_home",
    "signup",
    "token_for_credentials",
    "update_profile",
    "user_for_key",
    "verify_neighbourhood",
]
