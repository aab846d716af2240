"""Helpers the tests share: servers, fixtures, the command in a subprocess (`support.command`)."""
