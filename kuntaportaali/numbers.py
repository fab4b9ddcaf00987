"""Numbers as people read them."""

from decimal import Decimal


def price_trimmed(price: Decimal) -> Decimal:
    """A stored price without the zeros its column adds, keeping two decimals: 0.0900 -> 0.09, 0.0125 stays."""
    decimals = max(2, -price.normalize().as_tuple().exponent)
    return price.quantize(Decimal(1).scaleb(-decimals))
