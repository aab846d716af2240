"""Bundled rules as data: taxonomy, detectors and the policy (installed as `pdscan.rules`)."""
