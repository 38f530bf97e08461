"""Staff console core: accounts, sessions, audit log, conversation review, statistics,
exports and retention (plain Python over the app database; bot/web/staff_views.py serves it)."""
