"""The web layer: one package per area (web/<area>/, collected by routes.py) and the parts every
request shares beside them."""

from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
