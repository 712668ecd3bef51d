"""What each point of a characteristic's 1..5 scale means to a shopper, as the storefront shows
it."""

CHARACTERISTIC_LABELS = {
    "Size": (
        "A size too small",
        "½ a size too small",
        "Perfect",
        "½ a size too big",
        "A size too wide",
    ),
    "Width": ("Too narrow", "Slightly narrow", "Perfect", "Slightly wide", "Too wide"),
    "Comfort": ("Uncomfortable", "Slightly uncomfortable", "Ok", "Comfortable", "Perfect"),
    "Quality": ("Poor", "Below average", "What I expected", "Pretty great", "Perfect"),
    "Length": ("Runs short", "Runs slightly short", "Perfect", "Runs slightly long", "Runs long"),
    "Fit": ("Runs tight", "Runs slightly tight", "Perfect", "Runs slightly loose", "Runs loose"),
}
