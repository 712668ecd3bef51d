"""API v2, beside the legacy routes the contract keeps as they are: filtered keyset lists,
summaries, votes and reports."""
