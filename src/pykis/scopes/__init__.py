"""High-level scopes: a stock and an account, thin methods over protocol flows."""
