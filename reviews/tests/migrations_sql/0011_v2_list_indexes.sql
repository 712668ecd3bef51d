--
-- Creates extension btree_gin
--
-- (no-op)
--
-- Concurrently create index reviews_product_rating_idx on field(s)  of model review
--
CREATE INDEX CONCURRENTLY "reviews_product_rating_idx" ON "reviews" ("product_id", "rating" DESC, "date" DESC, "id" DESC) WHERE NOT "reported";
--
-- Concurrently create index reviews_product_rating_low_idx on field(s)  of model review
--
CREATE INDEX CONCURRENTLY "reviews_product_rating_low_idx" ON "reviews" ("product_id", (("rating" *  -1)) DESC, "date" DESC, "id" DESC) WHERE NOT "reported";
--
-- Concurrently create index reviews_product_search_idx on field(s)  of model review
--
CREATE INDEX CONCURRENTLY "reviews_product_search_idx" ON "reviews" USING gin ("product_id", (to_tsvector('english'::regconfig, COALESCE("summary", '') || ' ' || COALESCE("body", '')))) WHERE NOT "reported";
