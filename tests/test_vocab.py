import pytest

from recog import Alphabet, ConfigError, DataError, TextNormalizer


def test_normalizer_applies_form_case_and_whitespace():
    n = TextNormalizer()
    assert n("  Ko\u0308nigs\tHAIN \n") == "königs hain"  # NFD umlaut composed, lower-cased, collapsed
    assert TextNormalizer(case="upper")("straße") == "STRASSE"
    assert TextNormalizer(case="keep")("AbC") == "AbC"
    with pytest.raises(ConfigError):
        TextNormalizer(case="title")


def test_alphabet_ids_start_after_blank_and_round_trip():
    a = Alphabet.from_texts(["NO YES", "yes no"])
    assert a.chars == [" ", "e", "n", "o", "s", "y"]
    assert len(a) == 7
    ids = a.encode("YES no")
    assert min(ids) >= 1 and a.decode(ids) == "yes no"


def test_out_of_alphabet_is_reported_never_dropped():
    a = Alphabet(list("ab "))
    with pytest.raises(DataError, match="'c'"):
        a.encode("abc", source="x.jsonl:3")
    report = a.check(["ab", "abc", "cd"])
    assert report.utterances == 2 and report.counts == {"c": 2, "d": 1}
    assert "2 transcripts" in str(report)


def test_alphabet_serialises_with_its_normalizer():
    a = Alphabet(list("aäß "), TextNormalizer(case="keep", unicode_form="NFKC"))
    assert Alphabet.from_dict(a.to_dict()) == a


def test_alphabet_rejects_duplicates_and_multichar():
    with pytest.raises(ConfigError):
        Alphabet(["a", "a"])
    with pytest.raises(ConfigError):
        Alphabet(["ab"])


def test_speech_normalizer_drops_unspoken_punctuation_but_keeps_apostrophes_in_words():
    n = TextNormalizer(drop_punctuation=True)
    assert n("Author of the danger trail, Philip Steels, etc.") == "author of the danger trail philip steels etc"
    assert n("Don't 'quote' me -- twenty-one o\u2019clock!") == "don't quote me twenty one o'clock"
    assert n("a/b; (c): \"d\" \u00a3 5") == "a b c d 5"
    assert TextNormalizer()("twenty-one, o'clock.") == "twenty-one, o'clock."  # off by default: handwriting keeps it


def test_normalizer_from_an_older_bundle_keeps_punctuation():
    old = {"unicode_form": "NFC", "case": "lower", "collapse_whitespace": True}  # bundles written before the field
    assert TextNormalizer.from_dict(old).drop_punctuation is False
