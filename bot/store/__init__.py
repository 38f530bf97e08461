"""The app database: SQLAlchemy models, sessions, migrations and the conversation log."""
