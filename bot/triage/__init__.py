"""Triage core: text normalisation, red flags, protocols and the engine (no Rasa, no web)."""
