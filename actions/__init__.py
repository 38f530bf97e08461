"""Rasa SDK actions: thin adapters from the tracker to the bot core, one module per capability."""
