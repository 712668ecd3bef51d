"""Regular expressions for whole numbers written as text, shared by the input checks and the
OpenAPI schema so that both say the same thing."""

# At most 20 digits, leading zeros included (what reviews.serializers.WholeNumberField reads).
DIGITS_MAX = 20


def decimal_range_pattern(maximum: int) -> str:
    """A regular expression for the numbers 1..maximum written without leading zeros."""
    top = str(maximum)
    options = ["[1-9]" + digits(length - 1) for length in range(1, len(top))]
    for position, digit in enumerate(top):
        lowest = "1" if position == 0 else "0"
        if digit > lowest:
            below = lowest if int(digit) - 1 == int(lowest) else f"[{lowest}-{int(digit) - 1}]"
            options.append(top[:position] + below + digits(len(top) - position - 1))
    options.append(top)
    return "|".join(options)


def digits(count: int) -> str:
    return "" if count == 0 else "[0-9]" if count == 1 else f"[0-9]{{{count}}}"


def whole_number_pattern(maximum: int, *, optional: bool) -> str:
    """A query value of 1..maximum: up to 20 ASCII digits, leading zeros allowed; empty too when
    the parameter is optional (empty means its default)."""
    number = f"(?=[0-9]{{1,{DIGITS_MAX}}}$)0*({decimal_range_pattern(maximum)})"
    return f"^(|{number})$" if optional else f"^{number}$"
