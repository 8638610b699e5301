"""Money is integer cents plus a currency; this is how it is shown to people."""


def money(cents: int, currency: str = "USD") -> str:
    sign = "−" if cents < 0 else ""
    cents = abs(int(cents))
    symbol = "$" if currency == "USD" else f"{currency} "
    return f"{sign}{symbol}{cents // 100:,}.{cents % 100:02d}"
