"""How alike two short Chinese texts about a local problem are: "the same broken street light?".

No segmenter (jieba is not a dependency): both texts are normalised (full-width forms, case, punctuation,
filler words, Chinese numerals before 栋/号/组, a few synonyms mapped to one word) and cut into character
bigrams. Bigrams of the words every complaint of a kind shares (路灯, 垃圾, 漏水 …) weigh less than the others,
so the place and the object decide; a pair whose problem words are all different (a street light and a pile of
rubbish at the same gate) is scored down. The score blends the weighted Dice coefficient with how much of the
shorter text the longer covers (a short public title inside a long message), from 0 to 1.

Cheap by design: a villager's message is compared with a bounded set of candidates (the open cases of one
community and category, newest first), never with the whole table. The threshold and the figures it reaches are
measured on ``cases/data/similarity_pairs.csv`` by ``manage.py similarity_quality``.
"""

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# A pair at or above this score is offered as "the same problem" (measured: see the module docstring).
THRESHOLD = 0.27
# Labelled pairs (text, other, duplicate 1/0, kind): what the threshold is measured on.
PAIRS_FILE = Path(__file__).resolve().parent / "data" / "similarity_pairs.csv"

# Words a villager adds that say nothing about which problem it is.
_FILLER_WORDS = (
    "你好 您好 请问 麻烦 帮忙 帮帮 一下 谢谢 希望 尽快 赶紧 赶快 快点 处理 解决 反映 我们 我家 咱们 这里 那里 这边 "
    "那边 这个 那个 这些 那些 已经 一直 好几天 好久 几天 非常 特别 实在 真的 现在 还是 还在 每天 有人 有个 有辆 "
    "有根 有几 没人 没有 都 很 太 了 的 得 啊 吧 呢 吗 呀 就 也 又 在 是 个 着 把 被 给 让 和 跟"
)
_FILLER = sorted(_FILLER_WORDS.split(), key=len, reverse=True)
_FILLER_RE = re.compile("|".join(map(re.escape, _FILLER)))

# One word for the ways a problem is said; the left side is tried longest first.
_SYNONYMS = {
    "路灯": ["路灯杆", "街灯", "照明灯", "灯杆", "路灯"],
    "灯": ["楼道灯", "灯"],
    "不亮": ["不亮", "灭了", "全灭", "熄灭", "没灯", "黑漆漆", "黑乎乎", "摸黑", "很黑", "太黑"],
    "垃圾": ["垃圾", "废物", "杂物"],
    "垃圾桶": ["垃圾箱", "垃圾桶", "垃圾亭", "投放亭", "分类亭"],
    "清运": ["拉走", "清运", "清理", "没清", "清走"],
    "下水道": ["下水道", "排水沟", "排水", "水沟", "阴沟"],
    "堵": ["堵塞", "堵住", "堵死", "不通", "堵"],
    "冒水": ["返水", "冒水", "外溢", "溢出", "漫到", "往外冒"],
    "井盖": ["井盖", "窨井盖"],
    "噪音": ["噪音", "扰民", "太吵", "很吵", "吵醒", "吵得", "声音大", "声音太大", "声音特别大", "轰隆隆"],
    "音响": ["音响", "音乐", "放歌"],
    "施工": ["施工", "打桩", "工地"],
    "停车": ["乱停车", "乱停", "停车", "停满", "停到", "车停", "占着车位", "车位"],
    "占": ["占用", "被占", "占了", "堵了"],
    "僵尸车": ["僵尸车", "废旧汽车", "破车", "废车"],
    "漏水": ["漏水", "渗水", "漏雨", "长流水", "水一直流", "哗哗"],
    "水管": ["自来水管", "水管"],
    "屋顶": ["房顶", "屋顶", "楼顶", "顶楼", "顶层", "天花板"],
    "坑": ["坑坑洼洼", "坑洼", "大坑", "坑"],
    "护栏": ["栏杆", "护栏"],
    "桥": ["桥头", "桥边", "桥"],
    "树枝": ["树枝", "树杈"],
    "修剪": ["修剪", "剪枝"],
    "电线": ["电线", "线缆"],
    "流浪狗": ["流浪狗", "野狗", "流浪犬"],
    "候车亭": ["候车亭", "车站棚", "公交站", "雨棚", "顶棚"],
    "公厕": ["公共厕所", "公厕", "厕所"],
    "学校": ["小学", "学校"],
    "菜市场": ["菜市场", "菜场"],
    "广场舞": ["广场舞", "跳舞"],
    "活动中心": ["老年活动中心", "老年活动室", "活动中心", "活动室"],
    "河边": ["河岸边", "河岸", "河边"],
    "村委会": ["村委会", "村委"],
}
_SYNONYM_OF = {said: word for word, saids in _SYNONYMS.items() for said in saids}
_SYNONYM_RE = re.compile("|".join(map(re.escape, sorted(_SYNONYM_OF, key=len, reverse=True))))

# What kind of problem a canonical word names: two texts naming only different kinds are different problems.
_PROBLEM_KIND = {
    "路灯": "灯",
    "灯": "灯",
    "不亮": "灯",
    "垃圾": "垃圾",
    "垃圾桶": "垃圾",
    "清运": "垃圾",
    "下水道": "下水",
    "冒水": "下水",
    "井盖": "下水",
    "化粪池": "下水",
    "噪音": "噪音",
    "音响": "噪音",
    "施工": "噪音",
    "停车": "停车",
    "僵尸车": "停车",
    "消防通道": "停车",
    "人行道": "停车",
    "漏水": "漏水",
    "水管": "漏水",
    "坑": "道路",
    "护栏": "道路",
    "树枝": "绿化",
    "修剪": "绿化",
    "电线": "电线",
    "流浪狗": "狗",
    "候车亭": "候车亭",
}
# The words every complaint of a kind shares weigh this much; the place and the object weigh 1.
_GENERIC_WEIGHT = 0.35
_GENERIC = set(_PROBLEM_KIND) | {"堵", "占", "屋顶", "坏", "破", "修", "晚上", "下雨", "小区"}
_OTHER_PROBLEM_FACTOR = 0.35

_NUMERALS = dict(zip("一二三四五六七八九十", ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10"], strict=True))
_NUMERAL_RE = re.compile(r"([一二三四五六七八九十])(?=[栋号组楼单幢])")
_KEEP_RE = re.compile(r"[^0-9a-z\u4e00-\u9fff]+")


@dataclass(frozen=True)
class Profile:
    """A text ready to compare: its weighted bigrams and the kinds of problem it names."""

    grams: dict[str, float]
    weight: float
    kinds: frozenset[str]


def normalize(text: str) -> str:
    """Return the text as compared: half-width, lower case, Chinese and digits only, no filler, synonyms mapped."""
    text = unicodedata.normalize("NFKC", text or "").lower()
    text = _NUMERAL_RE.sub(lambda m: _NUMERALS[m.group(1)], text)
    text = _KEEP_RE.sub(" ", text)
    text = _SYNONYM_RE.sub(lambda m: f" {_SYNONYM_OF[m.group(0)]} ", text)
    # Filler is removed between words only, never inside a mapped word (they are kept whole by the spaces).
    return " ".join(_FILLER_RE.sub(" ", part) if part not in _SYNONYMS else part for part in text.split())


@lru_cache(maxsize=4096)
def profile(text: str) -> Profile:
    """Cut the normalised text into weighted character bigrams (a lone character counts as one gram)."""
    grams: dict[str, float] = {}
    kinds = set()
    for word in normalize(text).split():
        if word in _PROBLEM_KIND:
            kinds.add(_PROBLEM_KIND[word])
        generic = word in _GENERIC
        pieces = [word] if len(word) == 1 else [word[i : i + 2] for i in range(len(word) - 1)]
        for gram in pieces:
            weight = _GENERIC_WEIGHT if generic or gram in _GENERIC else 1.0
            grams[gram] = max(grams.get(gram, 0.0), weight)
    for word in list(_PROBLEM_KIND):
        if word in text and len(word) > 1:
            kinds.add(_PROBLEM_KIND[word])
    return Profile(grams=grams, weight=sum(grams.values()), kinds=frozenset(kinds))


def similarity(a: str, b: str) -> float:
    """Return how alike two texts are, from 0 (nothing shared) to 1 (the same words)."""
    pa, pb = profile(a or ""), profile(b or "")
    if not pa.weight or not pb.weight:
        return 0.0
    shared = sum(min(w, pb.grams[g]) for g, w in pa.grams.items() if g in pb.grams)
    dice = 2 * shared / (pa.weight + pb.weight)
    cover = shared / min(pa.weight, pb.weight)
    score = (dice + cover) / 2
    if pa.kinds and pb.kinds and not pa.kinds & pb.kinds:
        score *= _OTHER_PROBLEM_FACTOR
    return round(min(score, 1.0), 3)


def rank(text: str, candidates: Iterable[tuple[object, str]], *, limit: int = 3, threshold: float = THRESHOLD):
    """Return up to ``limit`` (item, score) of ``candidates`` ((item, its text) pairs) at or above ``threshold``.

    Best first; ties keep the candidates' order (give them newest first).
    """
    scored = [(item, similarity(text, other)) for item, other in candidates]
    scored = [pair for pair in scored if pair[1] >= threshold]
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]


@dataclass(frozen=True)
class Quality:
    threshold: float
    precision: float
    recall: float
    true_positives: int
    false_positives: int
    false_negatives: int
    pairs: int


def quality(pairs: Iterable[tuple[str, str, bool]], threshold: float = THRESHOLD) -> Quality:
    """Measure precision and recall of "score ≥ threshold means duplicate" on labelled pairs."""
    tp = fp = fn = n = 0
    for a, b, duplicate in pairs:
        n += 1
        said = similarity(a, b) >= threshold
        tp += said and duplicate
        fp += said and not duplicate
        fn += duplicate and not said
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return Quality(threshold, round(precision, 3), round(recall, 3), tp, fp, fn, n)


def pairs_read(path: Path = PAIRS_FILE) -> list[tuple[str, str, bool, str]]:
    """Read the labelled pairs: (text, other text, duplicate?, kind of pair)."""
    with open(path, encoding="utf-8", newline="") as f:
        return [(r["text"], r["other"], r["duplicate"].strip() == "1", r["kind"]) for r in csv.DictReader(f)]
