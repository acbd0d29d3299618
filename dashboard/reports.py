"""The plain-English justification report for one decision (being written)."""
