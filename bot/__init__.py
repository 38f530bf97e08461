"""Vårdlotsen: Swedish-first chatbot for digital first contact and triage in primary care."""
