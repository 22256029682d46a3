from django.utils import translation
from django.utils.translation import gettext_lazy

from lucun.text import counted, listed, mask_name, mask_phone, paragraph, pinyin_initials, sentence


def test_mask_phone_hides_the_middle_four_digits():
    assert mask_phone("13812341234") == "138****1234"


def test_mask_phone_handles_empty_and_short_values():
    assert mask_phone("") == ""
    assert mask_phone(None) == ""
    assert mask_phone("12345") == "1***5"


def test_mask_name_keeps_the_family_name():
    assert mask_name("张三丰") == "张**"


def test_pinyin_initials_for_search():
    assert pinyin_initials("芦湖村") == "lhc"


def test_listed_joins_names_as_the_readers_language_does():
    with translation.override("zh-hans"):
        assert listed(["状态", "层级"]) == "状态、层级"
    with translation.override("en"):
        assert listed(["Status", "Tier"]) == "Status, Tier"
    assert listed([]) == ""
    assert listed(iter(["一"])) == "一"


def test_sentence_joins_clauses_as_the_readers_language_does():
    with translation.override("zh-hans"):
        assert sentence(["走访10户", "", "收集问题2个"]) == "走访10户;收集问题2个。"
    with translation.override("en"):
        assert sentence(["Visited 10 households", "Collected 2 problems"]) == (
            "Visited 10 households; Collected 2 problems."
        )
    assert sentence([]) == "" and sentence(["", None]) == ""


def test_paragraph_runs_sentences_on_as_the_readers_language_does():
    with translation.override("zh-hans"):
        assert paragraph(["已收到。", "", "请保存查询码。"]) == "已收到。请保存查询码。"
    with translation.override("en"):
        assert paragraph(["Received.", None, "Keep the lookup code."]) == "Received. Keep the lookup code."
    assert paragraph([]) == ""


def test_counted_says_a_number_with_its_measure_word_as_the_readers_language_counts():
    with translation.override("zh-hans"):
        assert counted(1, gettext_lazy("件")) == "1 件" and counted(3, "户") == "3 户"
    with translation.override("en"):
        assert counted(1, gettext_lazy("件")) == "1 item" and counted(3, gettext_lazy("件")) == "3 items"
        assert counted(1, gettext_lazy("户")) == "1 household" and counted(0, gettext_lazy("场")) == "0 meetings"
        assert counted(2, "枚") == "2 枚"  # a word not listed stays as it is
