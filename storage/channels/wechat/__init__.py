"""The WeChat channel's state: callback inbox, nonces, account values, delivery allowances,
and their tables."""
