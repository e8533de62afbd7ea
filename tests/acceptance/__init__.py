"""Acceptance checks against ../shared (the team's seeds, gold and real data sets).

Collected only when ../shared sits beside the checkout (as in CI); a contributor's clone without
it does not collect them at all, so nothing is skipped for missing files. Behaviour tests never
live here: they use the repository's own sample archive and tests/data/.
"""
