"""The store front-end's traffic, for locust: product page views, deeper pages, posts, helpful
votes and reports, on products drawn as in ``loadtests.products``.

    .venv/bin/python -m locust --config loadtests/locust.conf [--host URL] [-u USERS] [-t 60s]

A run fails (exit code 1) on any 5xx answer or when more than 0.1% of requests fail.
Options of its own: ``--product-max`` (highest product id; default that of the full dataset) and
``--think-time`` (mean seconds a user waits between actions; 0 for maximum throughput).
"""

import random
import string

from locust import FastHttpUser, events, task

from loadtests.products import ProductIds

MAX_ERROR_RATIO = 0.001
SERVER_ERROR = "server error"  # the failure message of every 5xx, counted by the quitting check

# What the front-ends ask for: mostly 5 reviews, but some clients fetch 500 or 1000 at once.
COUNTS = {5: 50, 10: 10, 20: 10, 100: 10, 500: 12, 1000: 8}
SORT_WEIGHTS = {"relevant": 50, "newest": 30, "helpful": 20}
REVIEW_POOL_SIZE = 200  # review ids a user remembers from the lists it saw


@events.init_command_line_parser.add_listener
def add_arguments(parser):
    parser.add_argument(
        "--product-max",
        type=int,
        default=1_000_011,
        env_var="LOCUST_PRODUCT_MAX",
        help="highest product id",
    )
    parser.add_argument(
        "--think-time", type=float, default=0.0, env_var="LOCUST_THINK_TIME", help="mean pause (s)"
    )


def weighted(rng: random.Random, choices: dict):
    return rng.choices(list(choices), weights=list(choices.values()))[0]


class StoreVisitor(FastHttpUser):
    def on_start(self) -> None:
        options = self.environment.parsed_options
        self.rng = random.Random()
        self.products = ProductIds(options.product_max)
        self.think_time = options.think_time
        self.review_ids: list[int] = []

    def wait_time(self) -> float:
        return self.rng.expovariate(1 / self.think_time) if self.think_time else 0

    # -- requests ---------------------------------------------------------------------------
    def request(self, method: str, path: str, name: str, expected: int | tuple[int, ...], **kwargs):
        """One request; anything but ``expected`` is a failure, a 5xx is a server error."""
        expected = expected if isinstance(expected, tuple) else (expected,)
        with self.client.request(method, path, name=name, catch_response=True, **kwargs) as r:
            if r.status_code == 0:
                r.failure(f"no answer: {r.error}")
            elif r.status_code >= 500:
                r.failure(f"{SERVER_ERROR} {r.status_code}")
            elif r.status_code not in expected:
                r.failure(f"status {r.status_code}, expected {' or '.join(map(str, expected))}")
            else:
                r.success()
            return r

    def meta(self, product_id: int) -> dict:
        r = self.request("GET", f"/reviews/meta?product_id={product_id}", "/reviews/meta", 200)
        return r.json() if r.status_code == 200 else {}

    def reviews(self, product_id: int, *, page: int = 1, count: int = 5, sort: str = "relevant"):
        path = f"/reviews/?product_id={product_id}&page={page}&count={count}&sort={sort}"
        r = self.request("GET", path, "/reviews", 200)
        if r.status_code == 200:
            ids = [result["review_id"] for result in r.json()["results"]]
            self.review_ids = (self.review_ids + ids)[-REVIEW_POOL_SIZE:]

    # -- what a shopper does ----------------------------------------------------------------
    @task(60)
    def view_product(self) -> None:
        """A product page: its rating summary and the first page of reviews."""
        product_id = self.products.draw(self.rng)
        self.meta(product_id)
        count, sort = weighted(self.rng, COUNTS), weighted(self.rng, SORT_WEIGHTS)
        self.reviews(product_id, count=count, sort=sort)

    @task(15)
    def read_more_reviews(self) -> None:
        """'More reviews': the next pages of a product, a few reviews at a time."""
        product_id, sort = self.products.draw(self.rng), weighted(self.rng, SORT_WEIGHTS)
        for page in range(2, self.rng.randint(2, 5) + 1):
            self.reviews(product_id, page=page, count=self.rng.choice([2, 5]), sort=sort)

    @task(5)
    def post_review(self) -> None:
        """Write a review: read the product's characteristics, then rate them all."""
        product_id = self.products.draw(self.rng)
        characteristics = self.meta(product_id).get("characteristics", {})
        name = "".join(self.rng.choices(string.ascii_lowercase, k=8))
        body = {
            "product_id": product_id,
            "rating": self.rng.randint(1, 5),
            "summary": "Load test review",
            "body": "Written by the load test: " + " ".join(["fits well"] * 10),
            "recommend": self.rng.random() < 0.8,
            "name": name,
            "email": f"{name}@example.com",
            "photos": ["https://example.com/photo.jpg"] if self.rng.random() < 0.3 else [],
            "characteristics": {
                str(c["id"]): self.rng.randint(1, 5) for c in characteristics.values()
            },
        }
        self.request("POST", "/reviews", "/reviews", 201, json=body)

    @task(8)
    def mark_helpful(self) -> None:
        if not self.review_ids:
            return self.view_product()
        review_id = self.rng.choice(self.review_ids)
        # 404: another shopper reported it since this one saw it, and it is gone.
        self.request("PUT", f"/reviews/{review_id}/helpful", "/reviews/[id]/helpful", (204, 404))

    @task(1)
    def report(self) -> None:
        if not self.review_ids:
            return self.view_product()
        review_id = self.review_ids.pop(self.rng.randrange(len(self.review_ids)))
        self.request("PUT", f"/reviews/{review_id}/report", "/reviews/[id]/report", (204, 404))


@events.quitting.add_listener
def fail_on_server_errors_or_error_rate(environment, **kwargs) -> None:
    """The run's verdict: any 5xx, or more than 0.1% failed requests, fails it."""
    total = environment.stats.total
    server_errors = sum(
        error.occurrences
        for error in environment.stats.errors.values()
        if str(error.error).startswith(SERVER_ERROR)
    )
    problems = []
    if total.num_requests == 0:
        problems.append("no request was made")
    if server_errors:
        problems.append(f"{server_errors} server errors (5xx)")
    if total.num_requests and total.fail_ratio > MAX_ERROR_RATIO:
        problems.append(f"error rate {total.fail_ratio:.3%} > {MAX_ERROR_RATIO:.1%}")
    if problems:
        print("LOAD TEST FAILED: " + "; ".join(problems))
        environment.process_exit_code = 1
    else:
        print(f"LOAD TEST PASSED: {total.num_requests} requests, {total.num_failures} failures")
        environment.process_exit_code = 0
