"""Which library judges offensive language for the screen: the candidates on a labelled sample of
review texts (``loadtests/data/screening_sample.csv``: written for this, clean reviews with the
words that fool a word list — "the bomb", "Scunthorpe", "hell of a good fit" — and offensive ones,
some spelled to dodge one), by accuracy, precision, recall and cost per review.

    .venv/bin/python -m loadtests.screening [--repeat 3] [--posts 200]

The cost is the median over ``--repeat`` passes of one call per review (as the screen calls it:
the summary and body of one review at a time), after a first call that loads the library.
``--posts N`` also times what a post costs under each workflow on the configured database
(``ATELIER_DATA_DIR`` for the full data): ``review_create`` (what POST /reviews runs) N times with
the sample's texts, inside a transaction rolled back at the end, so nothing stays.
"""

import argparse
import csv
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent / "data" / "screening_sample.csv"
OFFENSIVE = "offensive"


@dataclass(frozen=True)
class Labelled:
    text: str
    offensive: bool


@dataclass(frozen=True)
class Score:
    library: str
    accuracy: float
    precision: float
    recall: float
    microseconds: float  # per review
    missed: list[str]  # offensive texts it let through
    flagged_clean: list[str]  # clean texts it would hold


def sample_read(path: Path = SAMPLE) -> list[Labelled]:
    with path.open(newline="") as stream:
        return [Labelled(row["text"], row["label"] == OFFENSIVE) for row in csv.DictReader(stream)]


def alt_profanity_check() -> Callable[[str], bool]:
    """The screen's own judgement (reviews.screening: the model's probability, its threshold)."""
    from reviews.screening import OFFENSIVE_FROM, offensive_probability

    return lambda text: offensive_probability([text]) >= OFFENSIVE_FROM


def better_profanity() -> Callable[[str], bool]:
    from better_profanity import profanity

    profanity.load_censor_words()
    return profanity.contains_profanity


CANDIDATES = {"alt-profanity-check": alt_profanity_check, "better-profanity": better_profanity}


def score(library: str, judge: Callable[[str], bool], sample: list[Labelled], repeat: int) -> Score:
    judge(sample[0].text)  # loaded
    timings, verdicts = [], []
    for _ in range(repeat):
        started = time.perf_counter()
        verdicts = [judge(item.text) for item in sample]
        timings.append((time.perf_counter() - started) / len(sample))
    hits = sum(v and item.offensive for v, item in zip(verdicts, sample, strict=True))
    flagged, offensive = sum(verdicts), sum(item.offensive for item in sample)
    right = sum(v == item.offensive for v, item in zip(verdicts, sample, strict=True))
    return Score(
        library=library,
        accuracy=right / len(sample),
        precision=hits / flagged if flagged else 0.0,
        recall=hits / offensive,
        microseconds=statistics.median(timings) * 1e6,
        missed=[i.text for v, i in zip(verdicts, sample, strict=True) if i.offensive and not v],
        flagged_clean=[
            i.text for v, i in zip(verdicts, sample, strict=True) if v and not i.offensive
        ],
    )


def compare(repeat: int = 3) -> list[Score]:
    sample = sample_read()
    return [score(name, make(), sample, repeat) for name, make in CANDIDATES.items()]


class RolledBack(Exception):
    pass


def post_costs(posts: int) -> dict[str, float]:
    """Median milliseconds of ``review_create`` under each workflow, nothing kept."""
    from django.db import transaction
    from django.test import override_settings

    from reviews.services import MODERATION_WORKFLOWS, review_create

    sample = sample_read()
    costs: dict[str, float] = {}
    try:
        with transaction.atomic():
            for workflow in MODERATION_WORKFLOWS:
                timings = []
                with override_settings(MODERATION_WORKFLOW=workflow):
                    for n in range(posts):
                        text = sample[n % len(sample)].text
                        started = time.perf_counter()
                        review_create(
                            product_id=1 + n % 1000,
                            rating=4,
                            summary="Screened",
                            body=f"{text} ({workflow} {n})",
                            recommend=True,
                            reviewer_name="bench",
                            reviewer_email="bench@example.com",
                        )
                        timings.append(time.perf_counter() - started)
                costs[workflow] = statistics.median(timings) * 1000
            raise RolledBack
    except RolledBack:
        pass
    return costs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--posts", type=int, default=0)
    args = parser.parse_args()
    sample = sample_read()
    offensive = sum(item.offensive for item in sample)
    print(f"sample: {len(sample)} reviews, {offensive} offensive, {len(sample) - offensive} clean")
    print(f"{'library':<22}{'accuracy':>9}{'precision':>10}{'recall':>8}{'µs/review':>11}")
    scores = compare(args.repeat)
    for s in scores:
        print(
            f"{s.library:<22}{s.accuracy:>9.3f}{s.precision:>10.3f}{s.recall:>8.3f}"
            f"{s.microseconds:>11,.0f}"
        )
    for s in scores:
        print(f"\n{s.library}: let through {len(s.missed)}, held {len(s.flagged_clean)} clean")
        for text in s.missed:
            print(f"  missed   {text}")
        for text in s.flagged_clean:
            print(f"  held     {text}")
    if args.posts:
        print(f"\nreview_create, median of {args.posts} posts (rolled back):")
        for workflow, milliseconds in post_costs(args.posts).items():
            print(f"  {workflow:<10}{milliseconds:>7.2f} ms")


if __name__ == "__main__":
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "atelier.settings")
    django.setup()
    main()
