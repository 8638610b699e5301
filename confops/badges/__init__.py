"""Badges for an event: who has been printed, batch and desk printing, walk-in registration."""
