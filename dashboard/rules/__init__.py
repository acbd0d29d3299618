"""The rules: plain Python over the SQL in queries/ (appraisal, risk, budget, equity, scenarios, filters and more)."""
