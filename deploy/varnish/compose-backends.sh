#!/bin/sh
# backends.vcl of the container topology (deploy/compose.yaml), written when the cache starts: one
# backend per app replica (APP_REPLICAS, compose's own container names atelier-app-1..N), each
# probed as in the local cluster (deploy/cluster_config.py); purges from the compose network only.
set -eu
replicas="${APP_REPLICAS:-2}"
ttl="${CACHE_TTL:-600}"
{
  cat <<'VCL'
probe app_alive {
    .request = "GET /health/live HTTP/1.1" "Host: localhost" "Connection: close";
    .interval = 1s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
    .initial = 2;
}
VCL
  i=1
  while [ "$i" -le "$replicas" ]; do
    cat <<VCL
backend app$i {
    .host = "atelier-app-$i";
    .port = "8000";
    .probe = app_alive;
    .connect_timeout = 1s;
    .first_byte_timeout = 15s;
    .between_bytes_timeout = 15s;
}
VCL
    i=$((i + 1))
  done
  cat <<'VCL'
acl purgers {
    "127.0.0.1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}
sub vcl_init {
    new apps = directors.round_robin();
VCL
  i=1
  while [ "$i" -le "$replicas" ]; do
    echo "    apps.add_backend(app$i);"
    i=$((i + 1))
  done
  cat <<VCL
}
sub atelier_ttl {
    set beresp.ttl = ${ttl}s;
}
VCL
} > "${1:-/etc/varnish/backends.vcl}"
