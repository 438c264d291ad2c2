"""Shared fixtures: real embedder (bundled e5), real Qdrant engine, the sample corpus."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "data" / "corpus"
SHARED = ROOT.parent / "shared"
# The five seed documents as shipped in data/corpus (seed number → file name).
SEEDS = {
    "000": "机关党建高质量发展-全国人大常委会机关党组.txt",
    "001": "中央和国家机关党建工作综述-旗帜微平台.txt",
    "002": "党建引领人大工作-市人大常委会机关.txt",
    "003": "主题教育与四个机关建设-楚天主人.txt",
    "004": "两项机制-北京市直机关工委.txt",
}


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


def make_settings(home: Path, **kw):
    from policyqa.settings import load_settings

    return load_settings(config=os.devnull, home=str(home), **kw)


def ingest_store(home: Path, paths: list[Path], cache_home: Path):
    """A store at ``home`` holding ``paths``, ingested with the embedding cache of ``cache_home`` (the session
    store's: texts embedded before are not embedded again). Returns (settings, report)."""
    from ingest import Ingestor

    shutil.copytree(cache_home / "cache", home / "cache")
    settings = make_settings(home)
    ing = Ingestor.open(settings, progress=False)
    report = ing.run(paths)
    ing.close()
    ing.res.close()
    return settings, report


@pytest.fixture(scope="session")
def ingested(tmp_path_factory):
    """The sample corpus ingested once into a session store; yields (settings, report)."""
    from ingest import Ingestor

    home = tmp_path_factory.mktemp("home")
    settings = make_settings(home)
    ing = Ingestor.open(settings, progress=False)
    report = ing.run([CORPUS])
    ing.close()
    ing.res.close()
    return settings, report


@pytest.fixture()
def fresh_home(tmp_path, ingested) -> Path:
    """An empty data directory whose embedding cache is pre-filled from the session run."""
    settings, _ = ingested
    home = tmp_path / "home"
    shutil.copytree(settings.home_path / "cache", home / "cache")
    return home


@pytest.fixture(scope="session")
def resources(ingested):
    """Shared open resources over the session store (for search tests)."""
    from policyqa.runtime import open_resources

    settings, _ = ingested
    res = open_resources(settings)
    yield res
    res.close()


STARTER = ROOT / "data" / "starter"
PROVINCES = ("上海市", "北京市", "广东省", "浙江省", "江苏省", "山东省", "四川省", "湖北省", "湖南省", "福建省",
             "贵州省", "吉林省")
LAWS = ("公职人员政务处分法(2020-06-20).md", "监察法(2018-03-20).md", "监察法(2024-12-25).md",
        "公务员法(2018-12-29).md", "行政机关公务员处分条例(2007-04-22).md")


@pytest.fixture(scope="session")
def starter_home(ingested, tmp_path_factory):
    """A store of twelve 2026 provincial work reports and five regulations (监察法 in two revisions) from
    data/starter, ingested with the real embedder (shared by the tests that need many documents)."""
    src = tmp_path_factory.mktemp("starter")
    (src / "reports").mkdir()
    (src / "laws").mkdir()
    for f in (STARTER / "reports").iterdir():
        if f.name == "manifest.csv" or any(p in f.name for p in PROVINCES):
            shutil.copy(f, src / "reports" / f.name)
    for name in LAWS:
        shutil.copy(STARTER / "laws" / name, src / "laws" / name)
    home = tmp_path_factory.mktemp("multihome") / "home"
    ingest_store(home, [src], ingested[0].home_path)
    return home


@pytest.fixture(scope="module")
def engine(resources):
    """The answer engine over the sample corpus, without a model."""
    from assistant.engine import AnswerEngine

    return AnswerEngine(resources, backend="none")


@pytest.fixture(scope="module")
def starter_engine(starter_home):
    """The answer engine over the starter store (reports and regulations), without a model."""
    from assistant.engine import AnswerEngine
    from policyqa.runtime import open_resources

    res = open_resources(make_settings(starter_home))
    yield AnswerEngine(res, backend="none")
    res.close()


def answers_with(engine, question: str, expect: str):
    """Ask ``question``; the answer is cited in every sentence and holds ``expect``."""
    ans = engine.ask(question)
    cited_everywhere(ans)
    assert expect in ans.answer, ans.answer
    return ans


def cited_everywhere(ans) -> None:
    """An answer whose every sentence carries a citation marker."""
    from assistant.grounding import markers_of, split_sentences

    assert ans.answerable, ans.answer
    for s in split_sentences(ans.answer):
        assert markers_of(s), f"sentence without citation: {s}"
