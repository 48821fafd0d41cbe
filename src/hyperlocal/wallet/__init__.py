"""Local currency: a double-entry ledger (accounts, sharded balances, immutable transfers)."""
