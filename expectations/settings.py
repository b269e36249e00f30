"""The quality rules' thresholds: `settings.quality.QualitySettings`, the one typed settings
source, under the name the suites have always imported."""

from settings.quality import QualitySettings

__all__ = ["QualitySettings"]
