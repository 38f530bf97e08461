"""Care navigation: care directory, opening hours, holidays, routing, vårdgaranti (no Rasa)."""
