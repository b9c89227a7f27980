"""Small pieces of plain English used across the sites: ordinals, money, floors."""


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def money(pence: int) -> str:
    return f"£{pence // 100:,}.{pence % 100:02d}"


def floor_words(floor: int) -> str:
    if floor < 0:
        return "Basement"
    if floor == 0:
        return "Ground floor"
    return f"{ordinal(floor)} floor"
