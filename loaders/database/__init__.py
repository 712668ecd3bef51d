"""The database side of loading: bulk COPY into the tables, sequences, and what follows a load."""
