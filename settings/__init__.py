"""One typed source of settings: the district's config file and the process environment.

- `settings.domains`: the data domains, defined once;
- `settings.district`: the district config file's pydantic models (stewards, district IT, goals,
  quality thresholds, metric settings), validated once;
- `settings.files`: where that file is, and its creation on a first run;
- `settings.quality`, `settings.metrics`: the thresholds of the checks, the dbt vars of the marts;
- `settings.landing`: parser rejects that set a file aside, symbolic links followed;
- `settings.sis`: which SIS user fields hold the local and state student IDs (dbt vars);
- `settings.environment`: the DISTRICTWIDE_* environment, read when asked, never at import;
- `settings.goals`: the improvement-plan goals written for dbt.
"""

from settings.district import (
    ConfigError,
    Contact,
    DistrictConfig,
    Domain,
    Goal,
    Steward,
    parse_config,
)
from settings.domains import DOMAINS
from settings.files import (
    CONFIG_ENV,
    EXAMPLE_CONFIG,
    config_notice,
    config_path,
    create_district_config,
    ensure_district_config,
    load_config,
)
from settings.landing import LandingSettings
from settings.metrics import MetricSettings
from settings.quality import QualitySettings
from settings.sis import SisSettings

__all__ = [
    "CONFIG_ENV",
    "DOMAINS",
    "EXAMPLE_CONFIG",
    "ConfigError",
    "LandingSettings",
    "Contact",
    "DistrictConfig",
    "Domain",
    "Goal",
    "MetricSettings",
    "QualitySettings",
    "SisSettings",
    "Steward",
    "config_path",
    "config_notice",
    "create_district_config",
    "ensure_district_config",
    "load_config",
    "parse_config",
]
