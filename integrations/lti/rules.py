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


# -- letter grades: a platform's scale is [[letter, lowest percentage], ...]
# from the highest letter down; the last starts at 0, so every score has one.

Scale = list[tuple[str, Decimal]]


def scale_of(stored: list) -> Scale:
    return [(str(letter), Decimal(str(low))) for letter, low in stored]


def letter_for(value: Decimal, scale: Scale) -> str:
    """The highest letter whose lowest percentage the score reaches."""
    for letter, low in scale:
        if value >= low:
            return letter
    return scale[-1][0]


def letter_at_least(letter: str, threshold: str, scale: Scale) -> bool:
    order = [name for name, _ in scale]
    return letter in order and order.index(letter) <= order.index(threshold)


def letter_rule_met(
    line_items: list[str], min_letter: str, scale: Scale, scores: dict
) -> bool:
    """Every line item's score maps to `min_letter` or a higher letter."""
    return bool(line_items) and all(
        scores.get(item) is not None
        and letter_at_least(letter_for(scores[item], scale), min_letter, scale)
        for item in line_items
    )


class ScaleError(ValueError):
    """A letter scale that cannot be used; the message says why, in plain words."""


def parse_scale(text: str) -> Scale:
    """A scale written one letter a line, highest first: `A 90`, …, `F 0`."""
    scale: Scale = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.replace("≥", " ").replace("%", " ").split()
        if not parts:
            continue
        if len(parts) != 2:
            raise ScaleError(
                f"Line {number}: write a letter and its lowest percentage, like “B 80”."
            )
        letter, low = parts[0].upper(), parts[1]
        if len(letter) > 8:
            raise ScaleError(f"Line {number}: a letter can be up to 8 characters.")
        try:
            value = Decimal(low)
        except InvalidOperation:
            raise ScaleError(
                f"Line {number}: “{low}” is not a percentage; write a number "
                "from 0 to 100."
            ) from None
        if not Decimal(0) <= value <= Decimal(100):
            raise ScaleError(
                f"Line {number}: the percentage must be from 0 to 100, not {low}."
            )
        if any(letter == seen for seen, _ in scale):
            raise ScaleError(f"Line {number}: the letter {letter} is there twice.")
        if scale and value >= scale[-1][1]:
            raise ScaleError(
                f"Line {number}: {letter} must start lower than {scale[-1][0]} "
                f"({scale[-1][1]:f} %); list the letters from the highest down."
            )
        scale.append((letter, value))
    if len(scale) < 2:
        raise ScaleError("Give at least two letters, one a line, like “A 90”.")
    if scale[-1][1] != 0:
        raise ScaleError(
            f"The lowest letter, {scale[-1][0]}, must start at 0 %, so that "
            "every score has a letter."
        )
    return scale


def format_scale(scale: Scale) -> str:
    return "\n".join(f"{letter} {low.normalize():f}" for letter, low in scale)
