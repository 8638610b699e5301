"""Check-in on the web: the device API, the scanner page and the staff pages."""
