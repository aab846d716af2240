"""pdscan: which personal data do we hold, where, and is it held for a declared purpose?"""

__version__ = "0.1.0"
