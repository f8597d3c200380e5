"""Award rules over LMS scores: pure, no ORM."""

from decimal import Decimal, InvalidOperation


def percent(result: dict) -> Decimal | None:
    """An AGS result (resultScore out of resultMaximum) as a percentage; None
    when the platform gave no score or no maximum to read it against."""
    try:
        score = Decimal(str(result["resultScore"]))
        maximum = Decimal(str(result["resultMaximum"]))
    except (KeyError, TypeError, InvalidOperation):
        return None
    if maximum <= 0:
        return None
    return (score * 100 / maximum).quantize(Decimal("0.01"))


def rule_met(
    line_items: list[str], min_percent: Decimal, scores: dict[str, Decimal | None]
) -> bool:
    """Every line item of the rule has a score of at least `min_percent`."""
    return bool(line_items) and all(
        scores.get(item) is not None and scores[item] >= min_percent
        for item in line_items
    )
