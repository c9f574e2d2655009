"""Stories in the national report are woven together by theme."""

import re
from pathlib import Path

from reportgen.core.config import load_config
from reportgen.documents.documents import story_groups
from reportgen.narratives.render import RenderedStory

from .conftest import REPO


def story(slug, themes, state="published"):
    return RenderedStory(slug=slug, state=state, label="story withheld: consent pending", title=slug,
                         themes=themes)


def test_groups_follow_the_first_theme_in_catalogue_order_and_withheld_come_last():
    config = load_config(REPO / "config.yaml")
    groups = story_groups([story("a", ["Housing", "Food"]), story("p", [], "withheld"), story("b", ["Food"]),
                           story("c", []), story("d", ["Housing"])], config)
    assert [(g.theme, [s.slug for s in g.stories]) for g in groups] == [
        ("Food", ["b"]), ("Housing", ["a", "d"]), ("Other voices", ["c"]), ("Withheld from this draft", ["p"])]


def test_the_sample_report_shows_a_heading_per_theme(built_sample: Path):
    html = (built_sample / "report.html").read_text(encoding="utf-8")
    section = html[html.index('id="stories"'):html.index('id="policy"')]
    themes = re.findall(r'<h3 class="story-theme">([^<]+)</h3>', section)
    assert themes[:2] == ["Food", "Housing"] and len(themes) == len(set(themes))
    assert section.count('<article class="story"') >= 5
