"""The screening comparison: it reads its labelled sample and scores each candidate on it; the
library the screen uses is the one it ranks first."""

from loadtests.screening import CANDIDATES, Labelled, compare, post_costs, sample_read, score


def test_the_sample_is_labelled_both_ways_and_has_the_word_list_traps():
    sample = sample_read()
    assert len(sample) >= 100
    offensive = sum(item.offensive for item in sample)
    assert 0.35 < offensive / len(sample) < 0.65
    texts = {item.text: item.offensive for item in sample}
    assert texts["This jacket is the bomb, warm and light at the same time."] is False
    assert texts["F*ck this brand."] is True


def test_a_score_counts_hits_misses_and_false_alarms():
    sample = [Labelled("bad", True), Labelled("bad too", True), Labelled("fine", False)]
    judged = score("words", lambda text: text.startswith("bad too") or text == "fine", sample, 1)
    assert (judged.accuracy, judged.precision, judged.recall) == (1 / 3, 1 / 2, 1 / 2)
    assert (judged.missed, judged.flagged_clean) == (["bad"], ["fine"])
    assert judged.microseconds >= 0


def test_the_screens_library_ranks_first_on_the_sample():
    scores = {s.library: s for s in compare(repeat=1)}
    assert set(scores) == set(CANDIDATES)
    chosen = scores["alt-profanity-check"]
    assert chosen.accuracy == max(s.accuracy for s in scores.values())
    assert chosen.accuracy >= 0.9 and chosen.recall >= 0.9


def test_post_costs_time_every_workflow_and_keep_nothing(db, settings):
    from reviews.models import Review

    settings.MODERATION_WORKFLOW = "post"
    costs = post_costs(3)
    assert set(costs) == {"post", "pre", "screened"}
    assert all(milliseconds > 0 for milliseconds in costs.values())
    assert not Review.objects.exists()
