"""API v2, beside the legacy routes: filtered keyset lists, summaries, votes and reports."""
