"""The show operator: schedules `Show` resources in catalog and reports their seats from booking."""
