"""The OpenAPI schema: valid, served, and true to what the endpoints actually send."""

import io

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from reviews import services
from reviews.tests.api import post, valid
from reviews.tests.factories import characteristic_make
from reviews.tests.v2_catalog import PRODUCT

pytestmark = pytest.mark.usefixtures("loaded")


@pytest.fixture
def schema(api) -> dict:
    response = api.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def conforms(document: dict, component: str, instance) -> None:
    validator = Draft202012Validator(
        {"$ref": f"#/components/schemas/{component}", "components": document["components"]}
    )
    validator.validate(instance)


def test_schema_validates_without_warnings():
    out = io.StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out)
    assert "openapi: 3.1.0" in out.getvalue()


def operations_under(schema: dict, prefix: str) -> set[tuple[str, str]]:
    return {
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if path.startswith(prefix)
    }


def test_schema_lists_the_five_operations_and_the_detail(schema):
    assert operations_under(schema, "/reviews/") == {
        ("/reviews/", "get"),
        ("/reviews/", "post"),
        ("/reviews/meta/", "get"),
        ("/reviews/{review_id}/", "get"),
        ("/reviews/{review_id}/helpful/", "put"),
        ("/reviews/{review_id}/report/", "put"),
    }


def test_schema_lists_the_v2_operations(schema):
    assert operations_under(schema, "/v2/") == {
        ("/v2/products/{product_id}/reviews/", "get"),
        ("/v2/products/{product_id}/summary/", "get"),
        ("/v2/reviews/{review_id}/vote/", "put"),
        ("/v2/reviews/{review_id}/reports/", "post"),
        ("/v2/reviews/{review_id}/response/", "put"),
    }


def test_schema_documents_string_typed_fields_and_errors(schema):
    components = schema["components"]["schemas"]
    assert components["ReviewListOutput"]["properties"]["product"]["type"] == "string"
    meta = components["ProductMetaOutput"]["properties"]
    assert meta["product_id"]["type"] == "string"
    assert meta["ratings"]["additionalProperties"]["type"] == "string"
    assert components["CharacteristicOutput"]["properties"]["value"]["type"] == ["string", "null"]
    assert components["ReviewOutput"]["properties"]["response"]["type"] == ["string", "null"]
    responses = schema["paths"]["/reviews/"]["post"]["responses"]
    assert {"201", "400", "422"} <= set(responses)
    assert "Location" in responses["201"]["headers"]
    assert "422" in schema["paths"]["/reviews/meta/"]["get"]["responses"]
    assert "404" in schema["paths"]["/reviews/{review_id}/report/"]["put"]["responses"]


@pytest.mark.parametrize("product_id", [101, 102, 104])
def test_real_responses_conform_to_the_schema(api, schema, product_id):
    listing = api.get("/reviews", {"product_id": product_id, "count": 50}).json()
    conforms(schema, "ReviewListOutput", listing)
    declared = set(schema["components"]["schemas"]["ReviewOutput"]["properties"])
    for result in listing["results"]:
        assert set(result) == declared  # nothing undeclared, such as reviewer_email
    conforms(
        schema, "ProductMetaOutput", api.get("/reviews/meta", {"product_id": product_id}).json()
    )
    for result in listing["results"]:
        conforms(schema, "ReviewOutput", api.get(f"/reviews/{result['review_id']}").json())


def test_error_responses_conform_to_the_schema(api, schema):
    conforms(schema, "ErrorOutput", api.get("/reviews", {"product_id": "x"}).json())
    conforms(schema, "ErrorOutput", post(api, valid(rating=9)).json())
    conforms(schema, "ErrorOutput", api.put("/reviews/987654/helpful").json())


def test_schema_rejects_what_the_contract_forbids(schema):
    meta = {
        "product_id": "1",
        "ratings": {"3": 2},  # a number, where the contract sends strings
        "recommended": {},
        "characteristics": {"Fit": {"id": 1, "value": "3.2106"}},
    }
    validator = Draft202012Validator(
        {"$ref": "#/components/schemas/ProductMetaOutput", "components": schema["components"]}
    )
    assert len(list(validator.iter_errors(meta))) == 2


def test_swagger_ui_is_served_with_local_assets(api):
    response = api.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "cdn" not in page.lower()


def test_v2_answers_conform_to_their_schemas(schema, api, catalog):
    url = f"/v2/products/{PRODUCT}"
    page = api.get(f"{url}/reviews", {"limit": 3}, headers={"X-Voter": "someone"}).json()
    conforms(schema, "V2ReviewPageOutput", page)
    conforms(schema, "V2ReviewPageOutput", api.get(page["next"]).json())
    conforms(schema, "SummaryOutput", api.get(f"{url}/summary", {"rating": ["4", "5"]}).json())
    conforms(schema, "SummaryOutput", api.get("/v2/products/5555/summary").json())
    conforms(schema, "ErrorOutput", api.get(f"{url}/reviews", {"rating": "9"}).json())
    conforms(schema, "ErrorOutput", api.get("/v2/products/x/summary").json())


def test_schema_lists_the_v2_writes_with_the_voter_header_and_examples(schema):
    assert {
        ("/v2/reviews/{review_id}/vote/", "put"),
        ("/v2/reviews/{review_id}/reports/", "post"),
        ("/v2/reviews/{review_id}/response/", "put"),
    } <= operations_under(schema, "/v2/")
    vote = schema["paths"]["/v2/reviews/{review_id}/vote/"]["put"]
    report = schema["paths"]["/v2/reviews/{review_id}/reports/"]["post"]
    headers = {
        name: {p["name"]: p for p in operation["parameters"] if p["in"] == "header"}
        for name, operation in [("vote", vote), ("report", report)]
    }
    assert headers["vote"]["X-Voter"]["required"] is True
    assert headers["report"]["X-Voter"].get("required", False) is False
    assert headers["vote"]["X-Voter"]["schema"]["maxLength"] == 200
    assert {"200", "400", "404", "422", "429"} <= set(vote["responses"])
    assert {"200", "201", "400", "404", "422", "429"} <= set(report["responses"])
    assert vote["requestBody"]["content"]["application/json"]["examples"]
    assert report["responses"]["201"]["content"]["application/json"]["examples"]
    components = schema["components"]["schemas"]
    assert components["VoteValueEnum"]["enum"] == ["up", "none"]
    assert "unspecified" not in components["ReportReasonInputEnum"]["enum"]
    assert "unspecified" in components["ReportReasonEnum"]["enum"]


def test_v2_answers_conform_to_the_schema(api, schema):
    voter = {"HTTP_X_VOTER": "schema-voter"}
    for value in ("up", "none"):
        answer = api.put("/v2/reviews/1/vote", {"value": value}, format="json", **voter)
        conforms(schema, "VoteOutput", answer.json())
    for body in ({"reason": "spam", "note": "n"}, {"reason": "fake"}):
        answer = api.post("/v2/reviews/2/reports", body, format="json", **voter)
        assert answer.status_code in (200, 201)
        conforms(schema, "ReportOutput", answer.json())
        services.reviews_restore(review_ids=[2])  # so that the second report is answered too
    api.put("/reviews/3/report")
    services.reviews_restore(review_ids=[3])
    legacy = api.post("/v2/reviews/3/reports", {"reason": "spam"}, format="json")
    assert legacy.json()["reason"] == "unspecified"
    conforms(schema, "ReportOutput", legacy.json())
    for error in (
        api.put("/v2/reviews/1/vote", {"value": "down"}, format="json", **voter),
        api.put("/v2/reviews/1/vote", {"value": "up"}, format="json"),
        api.put("/v2/reviews/987654/vote", {"value": "up"}, format="json", **voter),
        api.post("/v2/reviews/2/reports", {"reason": "unspecified"}, format="json"),
    ):
        assert error.status_code in (400, 404, 422)
        conforms(schema, "ErrorOutput", error.json())


def test_schema_accepts_the_documented_bodies_and_refuses_what_the_api_refuses(schema):
    def valid(component: str, instance) -> bool:
        validator = Draft202012Validator(
            {"$ref": f"#/components/schemas/{component}", "components": schema["components"]}
        )
        return validator.is_valid(instance)

    assert valid("VoteInput", {"value": "up"}) and valid("VoteInput", {"value": "none"})
    assert not valid("VoteInput", {"value": "down"})
    for note in ("", None, "x" * 1000):
        assert valid("ReportCreateInput", {"reason": "other", "note": note})
    assert valid("ReportCreateInput", {"reason": "off_topic"})
    assert not valid("ReportCreateInput", {"reason": "other", "note": "x" * 1001})
    assert not valid("ReportCreateInput", {"reason": "unspecified"})


def test_the_docs_example_review_is_posted_on_the_demo_products_characteristics(api, schema):
    """Swagger UI's "Try it out" sends the example: on the demo data (product 245 with Size 845
    and Comfort 847) it is a review, not a 422."""
    operation = schema["paths"]["/reviews/"]["post"]
    [example] = operation["requestBody"]["content"]["application/json"]["examples"].values()
    body = example["value"]
    for cid in body["characteristics"]:
        characteristic_make(product_id=body["product_id"], id=int(cid))
    response = api.post("/reviews", body, format="json")
    assert response.status_code == 201, response.content
