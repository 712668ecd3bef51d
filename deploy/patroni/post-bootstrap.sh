#!/bin/sh
# Run once by Patroni on the first leader, with a connection URL: the app's database.
set -eu
psql "$1" -v ON_ERROR_STOP=1 -c "CREATE DATABASE atelier"
