"""cvmon: service-environment monitoring of customer-service offices from CCTV."""

__version__ = "0.1.0"
