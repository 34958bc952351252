"""manage.py assistant_benchmark: the editor assistant's precision and recall, and its speed."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from claims.assistant import scoring

DEFAULT_SET = Path(settings.BASE_DIR) / "tests" / "data" / "assistant"


class Command(BaseCommand):
    help = (
        "Score the editor assistant's proposals against the statements an editor entered for "
        "a set of articles (tests/data/assistant/ by default): precision and recall per kind "
        "of proposal over the whole set and over the running example, and the time to propose "
        "for a 1,000-word article. Writes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--set", type=Path, default=DEFAULT_SET, help="Folder of the test set.")

    def handle(self, *args: object, set: Path, verbosity: int, **options: object) -> None:
        folder = set / "articles"
        if not (set / "actors.json").is_file() or not folder.is_dir():
            raise CommandError(f"{set} holds no actors.json and articles/ folder.")
        catalogue = scoring.catalogue_from(set / "actors.json")
        items = scoring.articles(folder)
        running = [a for a in items if "running example" in a.get("about", "")]
        self.stdout.write(f"{len(items)} articles; precision / recall per kind")
        self.stdout.write(
            f"{'kind':<10} {'set P':>6} {'set R':>6}   {'example P':>9} {'example R':>9}"
        )
        whole, example = scoring.score(items, catalogue), scoring.score(running, catalogue)
        for kind in scoring.KINDS:
            a, b = whole.tallies[kind], example.tallies[kind]
            shown = f"{b.precision:>9.2f} {b.recall:>9.2f}" if running else f"{'–':>9} {'–':>9}"
            figures = f"{a.precision:>6.2f} {a.recall:>6.2f}   {shown}"
            self.stdout.write(f"{kind:<10} {figures}")
        text = _thousand_words(items)
        seconds = scoring.seconds_per_article(text, catalogue)
        self.stdout.write(f"speed      {len(text.split())} words in {seconds * 1000:.0f} ms")


def _thousand_words(items: list[dict]) -> str:
    """About 1,000 words of news: the set's articles one after another."""
    paragraphs: list[str] = []
    while sum(len(p.split()) for p in paragraphs) < 1000:
        paragraphs += [a["text"] for a in items]
    words = "\n\n".join(paragraphs).split(" ")
    return " ".join(words[:1000])
