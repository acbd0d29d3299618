"""What comes in and goes out: imports, exports, the report, backups and the decision record."""
