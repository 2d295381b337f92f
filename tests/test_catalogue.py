"""The catalogue: forces, cycles, URL expansion and page identity."""

from __future__ import annotations

import pytest

from watcher.catalogue import FORCES, canonical_force, expand, page_path


def test_forty_three_forces() -> None:
    """The catalogue knows the 43 territorial forces."""
    assert len(FORCES) == 43


def test_expand_all_forces_for_one_cycle() -> None:
    """'all' forces and one report cycle give one URL per force."""
    pages = expand("https://h.example", None, ["peel-2023-25"])
    assert len(pages) == 43
    assert pages[0].url == "https://h.example/peel-reports/avon-and-somerset-2023-25/"


def test_hampshire_alias_by_cycle() -> None:
    """Hampshire's pages use the renamed slug from 2021/22 on, the old one before."""
    urls = [
        p.url for p in expand("https://h.example", ["hampshire"], ["peel-2017", "peel-2023-25"])
    ]
    assert "https://h.example/peel-assessments/peel-2017/hampshire/" in urls
    assert "https://h.example/peel-reports/hampshire-and-isle-of-wight-2023-25/" in urls
    assert canonical_force("hampshire-and-isle-of-wight") == "hampshire"


def test_legacy_cycle_includes_pillar_pages() -> None:
    """A 2015-2017 cycle covers the force page and its pillar sub-pages."""
    urls = [p.url for p in expand("https://h.example", ["kent"], ["peel-2017"])]
    assert urls[0].endswith("/peel-2017/kent/")
    assert any(u.endswith("/peel-2017/kent/legitimacy/") for u in urls)


def test_extra_pages_and_no_duplicates() -> None:
    """Extra paths are added once, on the configured host."""
    pages = expand("https://h.example/", ["kent"], ["peel-2023-25"], ["/news/", "/news"])
    assert [p.url for p in pages] == [
        "https://h.example/peel-reports/kent-2023-25/",
        "https://h.example/news/",
    ]


@pytest.mark.parametrize(
    ("url", "path"),
    [
        (
            "http://www.justiceinspectorates.gov.uk/hmic/peel-assessments/peel-2015/kent/",
            "/peel-assessments/peel-2015/kent/",
        ),
        (
            "https://www.justiceinspectorates.gov.uk/hmicfrs/peel-assessments/peel-2017/kent",
            "/peel-assessments/peel-2017/kent/",
        ),
        (
            "https://hmicfrs.justiceinspectorates.gov.uk///peel-reports/kent-2023-25/?",
            "/peel-reports/kent-2023-25/",
        ),
        (
            "https://h.example/peel-assessments/peel-2017/?view=table",
            "/peel-assessments/peel-2017/?view=table",
        ),
    ],
)
def test_page_identity(url: str, path: str) -> None:
    """Old prefixes, '///', a trailing '?' and a missing slash do not change identity."""
    assert page_path(url) == path


def test_every_force_and_service_has_one_of_the_ten_regions() -> None:
    from watcher.catalogue import (
        FORCE_REGIONS,
        FORCES,
        REGIONS,
        SERVICE_REGIONS,
        SERVICES,
        region_of,
    )

    assert len(REGIONS) == 10
    assert set(FORCE_REGIONS) == set(FORCES)
    assert set(SERVICE_REGIONS) == set(SERVICES)
    assert set(FORCE_REGIONS.values()) == set(REGIONS)  # every region has a force
    assert set(SERVICE_REGIONS.values()) <= set(REGIONS)
    assert region_of("kent") == region_of("frs/kent") == "south-east"
    assert region_of("metropolitan") == region_of("frs/london") == "london"
    assert region_of("dyfed-powys") == "wales"
    assert region_of("frs/isles-of-scilly") == "south-west"
    assert region_of("") is None
    assert region_of("frs/nowhere") is None
