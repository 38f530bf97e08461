"""Adapters that run inside the Rasa server process (input channel, NLU components)."""
