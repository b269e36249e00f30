"""The district config file: the shipped example is valid, a mistake names the file and key, the
file is found in a fixed order, and its contacts are typed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import settings as stewards
from settings import ConfigError, Contact, load_config, parse_config

EXAMPLE = stewards.EXAMPLE_CONFIG


# ─── config ──────────────────────────────────────────────────────────────────────────────────


def test_example_config_is_valid() -> None:
    config = load_config(EXAMPLE)
    assert set(config.domains) == {"sis", "attendance", "assessment"}
    assert config.domain_for_source("attendance__exceptions").name == "attendance"
    assert config.domain_for_source("assessment__state_results").name == "assessment"
    assert config.domain_for_source("nope__x") is None
    emails = [c.email for d in config.domains.values() for c in d.stewards]
    emails += [c.email for c in config.district_it]
    assert all(e.endswith("@example.org") for e in emails)


def example_data() -> dict:
    return yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "district.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.pop("domains"), "missing key 'domains'"),
        (lambda d: d["domains"].pop("attendance"), r"missing domain\(s\) \['attendance'\]"),
        (lambda d: d["domains"].update(behavior={}), r"unknown domain\(s\) \['behavior'\]"),
        (
            lambda d: d["domains"]["sis"].update(steward=d["domains"]["sis"].pop("stewards")),
            r"domains.sis: unknown key\(s\) \['steward'\]",
        ),
        (
            lambda d: d["domains"]["attendance"]["stewards"][0].update(email="linda.park"),
            r"domains.attendance.stewards\[0\].email: 'linda.park' is not an email address",
        ),
        (
            lambda d: d["domains"]["assessment"].update(stewards=[]),
            r"domains.assessment.stewards: the list is empty",
        ),
        (
            lambda d: d["domains"]["sis"]["sources"].append("attendance__exceptions"),
            r"domains.sis.sources\[\d+\]: 'attendance__exceptions' is not a raw table of this",
        ),
        (
            lambda d: d["domains"]["attendance"]["sources"].append("attendance__students"),
            r"'attendance__students' is listed twice",
        ),
        (lambda d: d.pop("district_it"), "missing key 'district_it'"),
        (
            lambda d: d["district_it"][0].pop("name"),
            r"missing key 'district_it\[0\].name'",
        ),
    ],
)
def test_config_validation_names_file_and_key(tmp_path: Path, mutate, message: str) -> None:
    data = example_data()
    mutate(data)
    path = write(tmp_path, data)
    with pytest.raises(ConfigError, match=message) as info:
        load_config(path)
    assert str(info.value).startswith(str(path))


def test_config_not_yaml_or_not_a_mapping(tmp_path: Path) -> None:
    bad = tmp_path / "district.yaml"
    bad.write_text("domains: [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(bad)
    with pytest.raises(ConfigError, match="the top level: expected a mapping"):
        parse_config(["a", "list"], "x.yaml")
    with pytest.raises(ConfigError, match="cannot read"):
        load_config(tmp_path / "missing.yaml")


def test_config_path_order(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    assert stewards.config_path({"DISTRICTWIDE_HOME": str(home)}) == stewards.EXAMPLE_CONFIG
    in_home = write(home, example_data())
    assert stewards.config_path({"DISTRICTWIDE_HOME": str(home)}) == in_home.resolve()
    explicit = tmp_path / "elsewhere.yaml"
    explicit.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    env = {"DISTRICTWIDE_HOME": str(home), "DISTRICTWIDE_CONFIG": str(explicit)}
    assert stewards.config_path(env) == explicit.resolve()
    with pytest.raises(ConfigError, match="DISTRICTWIDE_CONFIG points to"):
        stewards.config_path({"DISTRICTWIDE_CONFIG": str(tmp_path / "nope.yaml")})
    assert load_config(env=env).path == explicit.resolve()


def test_contacts_are_typed(config) -> None:
    first = config.domain("sis").stewards[0]
    assert first == Contact(
        name="Maria Delgado", email="maria.delgado@example.org", role="SIS coordinator"
    )
    with pytest.raises(KeyError, match="no domain 'behavior'"):
        config.domain("behavior")
