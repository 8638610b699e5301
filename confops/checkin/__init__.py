"""Check-in: tokens printed on badges, the keys that sign them, and (later) lists and scans."""
