"""CORS: a store page on an allowed origin calls the API from the browser; other origins get no
CORS headers. Checked with the test client, then end to end in headless Chromium."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reviews.models import Review
from reviews.tests.browser import chromium_page
from reviews.tests.factories import review_make

STORE = "https://store.example"


@pytest.fixture
def store_allowed(settings):
    settings.CORS_ALLOWED_ORIGINS = [STORE]


@pytest.mark.django_db
def test_an_allowed_origin_gets_its_cors_headers_and_another_none(client, store_allowed):
    review_make(product_id=9)
    allowed = client.get("/reviews/meta?product_id=9", HTTP_ORIGIN=STORE)
    assert allowed["Access-Control-Allow-Origin"] == STORE
    assert "etag" in allowed["Access-Control-Expose-Headers"]
    assert "origin" in allowed["Vary"].lower()  # a cache keeps one answer per origin
    other = client.get("/reviews/meta?product_id=9", HTTP_ORIGIN="https://evil.example")
    assert other.status_code == 200
    assert "Access-Control-Allow-Origin" not in other


@pytest.mark.django_db
def test_a_preflight_allows_the_writes_and_is_cached(client, store_allowed):
    response = client.options(
        "/reviews",
        HTTP_ORIGIN=STORE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, idempotency-key",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == STORE
    assert {"POST", "PUT", "GET"} <= set(response["Access-Control-Allow-Methods"].split(", "))
    assert {"content-type", "idempotency-key"} <= set(
        response["Access-Control-Allow-Headers"].split(", ")
    )
    assert response["Access-Control-Max-Age"] == "86400"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "method"), [("/v2/reviews/1/vote", "PUT"), ("/v2/reviews/1/reports", "POST")]
)
def test_a_preflight_allows_the_v2_writes_with_the_voter_token(client, store_allowed, path, method):
    response = client.options(
        path,
        HTTP_ORIGIN=STORE,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD=method,
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type, x-voter, x-shopper-token",
    )
    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == STORE
    assert method in response["Access-Control-Allow-Methods"].split(", ")
    allowed = response["Access-Control-Allow-Headers"].split(", ")
    assert "x-voter" in allowed and "x-shopper-token" in allowed


@pytest.mark.django_db
def test_the_admin_is_never_opened_to_other_origins(client, store_allowed):
    response = client.get("/admin/login/", HTTP_ORIGIN=STORE)
    assert "Access-Control-Allow-Origin" not in response


STORE_PAGE = """<!doctype html><html><body><script>
const api = "%(api)s";
async function run() {
  const out = [];
  try {
    const meta = await fetch(api + "/reviews/meta?product_id=77");
    out.push("meta " + meta.status + " " + (await meta.json()).product_id);
    const posted = await fetch(api + "/reviews", {
      method: "POST",
      headers: {"Content-Type": "application/json", "Idempotency-Key": "browser-1"},
      body: JSON.stringify({product_id: 77, rating: 5, body: "From the store page.",
                            recommend: true, name: "browser", email: "browser@example.com"}),
    });
    out.push("post " + posted.status + " " + posted.headers.get("Location"));
    const voted = await fetch(api + "/reviews/%(review)s/helpful", {method: "PUT"});
    out.push("helpful " + voted.status);
  } catch (error) {
    out.push("blocked " + error.name);
  }
  document.title = out.join(" | ");
}
run();
</script></body></html>"""


DONE = "document.title.includes('helpful') || document.title.includes('blocked')"


def serve_page(html: str) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = html.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_store_page_on_an_allowed_origin_reads_posts_and_votes_in_a_real_browser(
    live_server, settings
):
    review = review_make(product_id=77)
    page_html = STORE_PAGE % {"api": live_server.url, "review": review.id}
    allowed, refused = serve_page(page_html), serve_page(page_html)
    settings.CORS_ALLOWED_ORIGINS = [f"http://127.0.0.1:{allowed.server_address[1]}"]
    try:
        with chromium_page() as page:
            page.goto(f"http://127.0.0.1:{allowed.server_address[1]}/")
            page.wait_for_function(
                "document.title.includes('helpful') || document.title.includes('blocked')"
            )
            allowed_title = page.title()
            page.goto(f"http://127.0.0.1:{refused.server_address[1]}/")
            page.wait_for_function(
                "document.title.includes('blocked') || document.title.includes('helpful')"
            )
            refused_title = page.title()
    finally:
        allowed.shutdown()
        refused.shutdown()
    posted = Review.objects.get(product_id=77, body="From the store page.")
    assert allowed_title == f"meta 200 77 | post 201 /reviews/{posted.id} | helpful 204"
    assert refused_title == "blocked TypeError"
    review.refresh_from_db()
    assert review.helpfulness == 1
