"""cameras.yaml: models, loading and validation."""

from cvmon.config.load import load_config, parse_config
from cvmon.config.models import CameraConfig, Config, DetectorConfig, TimingConfig, ZoneConfig

__all__ = ["CameraConfig", "Config", "DetectorConfig", "TimingConfig", "ZoneConfig", "load_config", "parse_config"]
