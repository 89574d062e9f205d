"""aligner: raw multilingual news reports in, a clean scored trilingual (ar/en/fr) parallel corpus out."""

__version__ = "0.1.0"
