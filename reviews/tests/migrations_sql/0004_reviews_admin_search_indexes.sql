--
-- Concurrently create index reviews_reviewer_name_idx on field(s) reviewer_name of model review
--
CREATE INDEX CONCURRENTLY "reviews_reviewer_name_idx" ON "reviews" ("reviewer_name");
--
-- Concurrently create index reviews_reported_product_idx on field(s) product_id of model review
--
CREATE INDEX CONCURRENTLY "reviews_reported_product_idx" ON "reviews" ("product_id") WHERE "reported";
