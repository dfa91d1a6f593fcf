"""The PostgreSQL warehouse: how to reach it, its schema and its migrations."""
