"""Scoring trained models: the metrics (SIFID, diversity, patch SWD), evaluation and the paper's figures."""
