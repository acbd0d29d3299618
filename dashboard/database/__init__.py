"""The ground floor: the database connection, safe writes, the SQL runner (queries/) and the template's tables."""
