"""Print how well "我也遇到" suggestions find duplicates: precision and recall on the labelled pairs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cases import similarity


class Command(BaseCommand):
    help = "在标注的中文反映对上测量相似问题提示的准确率(precision)和召回率(recall)。"

    def add_arguments(self, parser):
        parser.add_argument("--pairs", default=str(similarity.PAIRS_FILE), help="labelled pairs (CSV)")
        parser.add_argument("--threshold", type=float, default=similarity.THRESHOLD, help="score counted as same")
        parser.add_argument("--misses", action="store_true", help="also list the pairs judged wrong")

    def handle(self, *args, pairs: str, threshold: float, misses: bool, **options):
        path = Path(pairs)
        if not path.is_file():
            raise CommandError(f"找不到标注文件:{path}")
        rows = similarity.pairs_read(path)
        q = similarity.quality(((a, b, same) for a, b, same, _kind in rows), threshold)
        out = self.stdout.write
        out(f"pairs={q.pairs} duplicates={q.true_positives + q.false_negatives}")
        out(f"threshold={q.threshold:.2f}")
        out(f"precision={q.precision:.3f} (tp={q.true_positives} fp={q.false_positives})")
        out(f"recall={q.recall:.3f} (fn={q.false_negatives})")
        if misses:
            for a, b, same, kind in rows:
                score = similarity.similarity(a, b)
                if (score >= threshold) != same:
                    out(f"{'FN' if same else 'FP'} {score:.3f} {a} | {b} | {kind}")
