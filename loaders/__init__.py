"""Loading data: the full-scale CSV generator and the COPY loader."""
