"""Booking: appointment slots and bookings behind a small service interface (no Rasa)."""
