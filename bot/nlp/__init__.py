"""Custom Rasa NLU components and the plain-Python logic they wrap."""
