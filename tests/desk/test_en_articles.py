"""English says "an" before a vowel sound in texts composed from pick-list words."""
from broadcaster.paging.vocabulary import article_for, en_articles


def test_a_or_an_by_sound():
    assert [article_for(w) for w in ("orange", "umbrella", "uniform", "ID card", "hour", "red", "one-piece")] == \
        ["an", "an", "a", "an", "an", "a", "a"]
    assert en_articles("Lost property: a orange umbrella was found. A orange bag, an red cap.") == \
        "Lost property: an orange umbrella was found. An orange bag, a red cap."
    assert en_articles("Please come to Gate A at once.") == "Please come to Gate A at once."
