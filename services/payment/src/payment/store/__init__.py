"""Payment's database: tables, queries and SQL migrations."""
