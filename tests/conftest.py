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
