"""Pools of review text, names and photo URLs, already written as quoted CSV fields.

Built once per process from the seed; rows pick from them by index, which is what keeps the
generator fast. Some entries carry the quirks of the real files: commas, doubled quotes, text
over several lines, non-ASCII letters.
"""

import random
from dataclasses import dataclass

from loaders.files.fields import quote


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


WORDS = _words(
    "soft sturdy light warm roomy snug bright faded crisp smooth rough stiff airy heavy neat "
    "sleek cozy plain bold true loose tight fine solid comfy breathable durable flimsy lovely "
    "cheap pricey perfect decent great poor odd nice handy clean lasting"
)
NOUNS = _words(
    "fabric colour seam zip strap sole collar pocket lining hem button fit cut size finish "
    "stitching laces heel cuff hood waist sleeve buckle print weave texture"
)
LOREM = _words(
    "alias aut autem dolor dolores eaque earum est eum facilis harum id illo ipsa iure labore "
    "magnam minus modi nemo nihil nobis odio omnis quas quia quod rem saepe sint sit sunt "
    "tempora ullam unde vel velit veniam vero"
)
FIRST = _words(
    "Ada Bram Cleo Dario Edith Farid Greta Hugo Ines Jonas Kaia Levi Mira Nils Olga Pavel "
    "Quinn Rosa Sami Tove Umar Vera Wren Xiomara Yusuf Zelda Noé Zoë Léa José Åsa Øyvind"
)
LAST = _words(
    "Abbott Baptiste Castro Dunne Eriksen Fontaine Gallo Haas Ivers Jansen Kowal Lindqvist "
    "Moreau Novak Okafor Pereira Quist Rahman Sato Tanaka Ueda Varga Weber Yilmaz Zane Müller "
    "Ibáñez"
)
DOMAINS = ("example.com", "example.net", "example.org", "mail.example.com")

POOL_SIZE = 4096


@dataclass(frozen=True)
class Pools:
    summaries: list[str]
    bodies: list[str]
    body_lines: list[int]  # extra physical lines a body adds (text over several lines)
    names: list[str]
    emails: list[str]
    responses: list[str]
    photo_urls: list[str]


def _csv(text: str) -> str:
    return quote(text.encode()).decode()


def _sentence(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.5:
        words = [rng.choice(LOREM) for _ in range(rng.randint(4, 11))]
        return " ".join(words).capitalize() + "."
    adjective, noun = rng.choice(WORDS), rng.choice(NOUNS)
    if roll < 0.75:
        return f"The {noun} is {adjective}, and {rng.choice(WORDS)} enough for every day."
    if roll < 0.9:
        return f'They call it "{adjective}", and the {noun} really is.'
    return f"{adjective.capitalize()} {noun}; would buy again."


def pools_build(seed: int) -> Pools:
    rng = random.Random(f"{seed}:pools")
    summaries, bodies, body_lines = [], [], []
    for _ in range(POOL_SIZE):
        summary = _sentence(rng)
        if len(summary) > 60:
            summary = summary[:60].rsplit(" ", 1)[0]
        summaries.append(_csv(summary))
        sentences = [_sentence(rng) for _ in range(rng.randint(1, 6))]
        separator = "\n" if rng.random() < 0.02 else " "  # a few bodies span lines
        body = separator.join(sentences)
        bodies.append(_csv(body))
        body_lines.append(body.count("\n"))
    names, emails = [], []
    for _ in range(POOL_SIZE):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        suffix = str(rng.randint(1, 99)) if rng.random() < 0.5 else ""
        names.append(_csv(f"{first}{rng.choice('._')}{last}{suffix}"))
        emails.append(_csv(f"{first}.{last}{suffix}@{rng.choice(DOMAINS)}".lower()))
    responses = [
        _csv(f"Thank you{rng.choice(['', ', truly'])}: {_sentence(rng)}") for _ in range(256)
    ]
    photo_urls = [
        _csv(f"https://picsum.photos/seed/{rng.getrandbits(40):010x}/{w}/{w * 3 // 4}")
        for w in (rng.choice((640, 800, 1024, 1280)) for _ in range(POOL_SIZE))
    ]
    return Pools(summaries, bodies, body_lines, names, emails, responses, photo_urls)
