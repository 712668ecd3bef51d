vcl 4.1;
# The HTTP cache in front of the app servers: the reviews API's reads, kept exact by purges.
#
# - Cached: 200 answers of GET /reviews, /reviews/meta and /reviews/<id>, under their normalized
#   URL (parameters in one order, defaults filled in, no trailing slash), which is also the URL
#   the app server is asked: a key never stands for an answer to another request. A query this
#   file cannot normalize safely (percent-escapes, a name without "=", ...) is passed uncached.
#   And API v2's reads (/v2/products/<id>/reviews and /summary), their parameters sorted, those
#   the app ignores dropped.
# - Invalidated: a write purges the tags of what it changed (xkey: c, l, v and a<product>,
#   r<review>) after it commits and before it answers (reviews/invalidation.py); a bulk load bans
#   everything.
# - The race of a miss that read the database before a write committed and returns after its
#   purge: each purge records its time under the product's race key. A miss that began before a
#   purge of its race key is delivered but not stored (vcl_backend_response); one that was
#   checked just before the purge but reached the xkey index after it is caught on its hits while
#   it is young (vcl_hit), until the app's second purge a little later removes it. See
#   docs/cache.md for the analysis and what remains.
#
# backends.vcl (written by deploy/cluster.py, or the compose file's own) defines the app servers,
# the `apps` director and the `purgers` ACL, and sets the object lifetime in `atelier_ttl`.

import std;
import var;
import xkey;
import directors;

include "backends.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        # First the time (a miss that began before it will not be stored), then the purge.
        var.global_set("race:" + req.http.X-Cache-Race, "" + std.time2real(now, 0.0));
        # The highest WAL position of a committed write purged here: every miss from now on
        # carries it, and the app reads on a replica only once the replica has passed it.
        if (req.http.X-Purge-LSN ~ "^[0-9]{1,15}$"
            && std.real(req.http.X-Purge-LSN, 0.0) > std.real(var.global_get("lsn"), 0.0)) {
            var.global_set("lsn", req.http.X-Purge-LSN);
        }
        if (req.http.X-Cache-Race == "all") {
            ban("obj.status != 0");
            return (synth(200, "Banned"));
        }
        set req.http.X-Purged = xkey.purge(req.http.xkey);
        return (synth(200, "Purged"));
    }
    set req.backend_hint = apps.backend();
    unset req.http.X-Min-LSN;  # only this cache says how far a replica must be
    if (req.restarts == 0) {
        unset req.http.X-Atelier-Refetch;
        unset req.http.X-Atelier-Origin;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    call atelier_normalize;
    if (!req.http.X-Atelier-Cacheable) {
        return (pass);
    }
    unset req.http.X-Atelier-Cacheable;
    if (req.http.X-Atelier-Refetch) {
        # vcl_hit found a young object that a purge may have missed: fetch it anew.
        set req.hash_always_miss = true;
    }
    # Answers do not depend on cookies or credentials: the public API reads neither.
    unset req.http.Cookie;
    unset req.http.Authorization;
    # Nor on the Origin: the app is asked without it, and the CORS headers are added on delivery
    # (vcl_deliver), so that one object serves every store origin instead of one per Origin.
    if (req.http.Origin) {
        set req.http.X-Atelier-Origin = req.http.Origin;
        unset req.http.Origin;
    }
    return (hash);
}

# Sets X-Atelier-Cacheable and rewrites req.url to its normal form, or leaves both alone.
sub atelier_normalize {
    unset req.http.X-Atelier-Cacheable;
    # API v2 reads. A list read with X-Voter or X-Shopper-Token holds the shopper's own votes:
    # never shared, never answered from the cache. The
    # others under one key per answer: the parameters the app reads, in one order, without those
    # it ignores; the app is asked that URL. The app judges the values (another spelling of one
    # is another key, never another request's answer). A name the app would decode (an escape)
    # leaves the URL as sent.
    if (req.url ~ "^/v2/products/[1-9][0-9]{0,9}/(reviews|summary)/?(\?.*)?$") {
        if (req.url !~ "^/v2/products/[0-9]+/summary"
            && (req.http.X-Voter || req.http.X-Shopper-Token)) {
            return;
        }
        set req.url = regsub(req.url, "^(/v2/products/[0-9]+/(reviews|summary))/", "\1");
        if (req.url !~ "[?&][^=&]*[%+]") {
            set req.url = regsuball(req.url,
                "([?&])(?!(?:rating|recommend|with_photos|verified|q|sort|limit|cursor)=)[^&]*", "\1");
            set req.url = regsuball(req.url, "&&+", "&");
            set req.url = regsub(regsub(req.url, "\?&", "?"), "[?&]$", "");
            set req.url = std.querysort(req.url);
        }
        set req.http.X-Atelier-Cacheable = "1";
        return;
    }
    # Already normal (what the store's own links send): one match, nothing to rewrite.
    if (req.url ~ "^/reviews(/meta\?product_id=|/)[1-9][0-9]{0,9}$"
        || req.url ~ "^/reviews\?product_id=[1-9][0-9]{0,9}&page=[1-9][0-9]{0,9}&count=[1-9][0-9]{0,9}&sort=(relevant|newest|helpful)$") {
        set req.http.X-Atelier-Cacheable = "1";
        return;
    }
    # Only plain queries: each parameter is a lower-case name, "=", and letters or digits.
    if (req.url !~ "^/reviews(/meta|/[0-9]+)?/?(\?([a-z_]+=[A-Za-z0-9]*)?(&([a-z_]+=[A-Za-z0-9]*)?)*)?$") {
        return;
    }
    if (req.url ~ "^/reviews/[0-9]+/?(\?|$)") {
        # A review's detail: the query plays no part.
        set req.http.X-Id = regsub(req.url, "^/reviews/0*([0-9]+).*$", "\1");
        if (req.http.X-Id !~ "^[1-9][0-9]{0,9}$") {
            return;
        }
        set req.url = "/reviews/" + req.http.X-Id;
        unset req.http.X-Id;
        set req.http.X-Atelier-Cacheable = "1";
        return;
    }
    # A parameter given twice is the app's 422, as a missing or invalid product_id is.
    if (req.url ~ "[?&](product_id|page|count|sort)=[^&]*&(.*&)?\1=") {
        return;
    }
    set req.http.X-Product = regsub(req.url, "^.*[?&]product_id=0*([0-9]*)(&.*)?$", "\1");
    if (req.http.X-Product !~ "^[1-9][0-9]{0,9}$") {
        return;
    }
    if (req.url ~ "^/reviews/meta") {
        set req.url = "/reviews/meta?product_id=" + req.http.X-Product;
        unset req.http.X-Product;
        set req.http.X-Atelier-Cacheable = "1";
        return;
    }
    # The list: page (default 1), count (default 5) and sort (default relevant); empty = default.
    set req.http.X-Page = "1";
    if (req.url ~ "[?&]page=") {
        set req.http.X-Page = regsub(req.url, "^.*[?&]page=0*([0-9]*)(&.*)?$", "\1");
    }
    set req.http.X-Count = "5";
    if (req.url ~ "[?&]count=") {
        set req.http.X-Count = regsub(req.url, "^.*[?&]count=0*([0-9]*)(&.*)?$", "\1");
    }
    set req.http.X-Sort = "relevant";
    if (req.url ~ "[?&]sort=") {
        set req.http.X-Sort = regsub(req.url, "^.*[?&]sort=([^&]*)(&.*)?$", "\1");
    }
    if (req.url ~ "[?&]page=(&|$)") {
        set req.http.X-Page = "1";
    }
    if (req.url ~ "[?&]count=(&|$)") {
        set req.http.X-Count = "5";
    }
    if (req.http.X-Sort == "") {
        set req.http.X-Sort = "relevant";
    }
    if (req.http.X-Page ~ "^[1-9][0-9]{0,9}$"
        && req.http.X-Count ~ "^[1-9][0-9]{0,9}$"
        && req.http.X-Sort ~ "^(relevant|newest|helpful)$") {
        set req.url = "/reviews?product_id=" + req.http.X-Product + "&page=" + req.http.X-Page
            + "&count=" + req.http.X-Count + "&sort=" + req.http.X-Sort;
        set req.http.X-Atelier-Cacheable = "1";
    }
    unset req.http.X-Product;
    unset req.http.X-Page;
    unset req.http.X-Count;
    unset req.http.X-Sort;
}

sub vcl_hash {
    # One API whatever the Host: the normalized URL is the whole key.
    hash_data(req.url);
    return (lookup);
}

# How long after its fetch an object is checked against the purges on every hit: well beyond the
# second purge the purge outbox sends (ATELIER_CACHE_REPURGE_SECONDS, 2 s), which removes what
# slipped through.
sub vcl_hit {
    if (obj.age < 5s
        && (std.real(var.global_get("race:" + obj.http.X-Cache-Race), 0.0)
                >= std.real(obj.http.X-Fetch-Start, 0.0)
            || std.real(var.global_get("race:all"), 0.0)
                >= std.real(obj.http.X-Fetch-Start, 0.0))) {
        set req.http.X-Atelier-Refetch = "1";
        return (restart);
    }
}

sub vcl_backend_fetch {
    set bereq.http.X-Fetch-Start = "" + std.time2real(now, 0.0);
    if (var.global_get("lsn")) {
        set bereq.http.X-Min-LSN = var.global_get("lsn");
    }
}

sub vcl_backend_response {
    if (bereq.uncacheable) {
        return (deliver);
    }
    # Only what the app marks cacheable (a 200 with its tags); anything else is fetched again
    # by the next request, never shared: 4xx and 5xx are not stored.
    if (beresp.status != 200 || !beresp.http.xkey) {
        set beresp.ttl = 1s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    # A purge of this product's race key arrived after this fetch began: the answer may predate
    # the write it followed. Deliver it to the requests that wait for it, but do not store it.
    if (std.real(var.global_get("race:" + beresp.http.X-Cache-Race), 0.0)
            >= std.real(bereq.http.X-Fetch-Start, 0.0)
        || std.real(var.global_get("race:all"), 0.0)
            >= std.real(bereq.http.X-Fetch-Start, 0.0)) {
        set beresp.ttl = 1s;
        set beresp.uncacheable = true;
        return (deliver);
    }
    set beresp.http.X-Fetch-Start = bereq.http.X-Fetch-Start;
    # The id of the request that filled the object is not every later request's (nginx adds each
    # request's own).
    unset beresp.http.X-Request-ID;
    call atelier_ttl;
    set beresp.grace = 0s;
    set beresp.keep = 0s;
    return (deliver);
}

sub vcl_backend_error {
    # No app server answered (each one is tried in turn first): the API's own 503, as JSON.
    if (bereq.retries < 2) {
        return (retry);
    }
    set beresp.http.Content-Type = "application/json";
    set beresp.http.Retry-After = "5";
    set beresp.http.Cache-Control = "no-store";
    synthetic({"{"detail": "Service temporarily unavailable: no app server answered." }"});
    set beresp.ttl = 0s;
    set beresp.uncacheable = true;
    return (deliver);
}

sub vcl_deliver {
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
    # CORS as the app gives it (django-cors-headers): the allowed origins and exposed headers
    # come with the object.
    if (req.http.X-Atelier-Origin && resp.http.X-Cors-Origins
        && std.strstr(" " + resp.http.X-Cors-Origins + " ", " " + req.http.X-Atelier-Origin + " ")) {
        set resp.http.Access-Control-Allow-Origin = req.http.X-Atelier-Origin;
        set resp.http.Access-Control-Expose-Headers = resp.http.X-Cors-Expose;
    }
    unset resp.http.X-Cors-Origins;
    unset resp.http.X-Cors-Expose;
    unset resp.http.xkey;
    unset resp.http.X-Cache-Race;
    unset resp.http.X-Fetch-Start;
    unset resp.http.X-Varnish;
    unset resp.http.Via;
}

sub vcl_synth {
    if (req.method == "PURGE") {
        set resp.http.X-Purged = req.http.X-Purged;
        set resp.http.Content-Type = "text/plain; charset=utf-8";
        synthetic(resp.reason);
        return (deliver);
    }
}
