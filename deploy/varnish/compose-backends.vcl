# backends.vcl of the container topology (deploy/compose.yaml): the app replicas by their
# container names (APP_REPLICAS=2), purges taken from the compose network only.
backend app1 {
    .host = "atelier-app-1";
    .port = "8000";
    .connect_timeout = 1s;
    .first_byte_timeout = 15s;
    .between_bytes_timeout = 15s;
}
backend app2 {
    .host = "atelier-app-2";
    .port = "8000";
    .connect_timeout = 1s;
    .first_byte_timeout = 15s;
    .between_bytes_timeout = 15s;
}
acl purgers {
    "127.0.0.1";
    "10.0.0.0"/8;
    "172.16.0.0"/12;
    "192.168.0.0"/16;
}
sub vcl_init {
    new apps = directors.round_robin();
    apps.add_backend(app1);
    apps.add_backend(app2);
}
sub atelier_ttl {
    set beresp.ttl = 600s;
}
