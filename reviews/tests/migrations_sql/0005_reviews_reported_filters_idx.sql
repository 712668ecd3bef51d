--
-- Concurrently create index reviews_reported_filters_idx on field(s) rating, recommend of model review
--
CREATE INDEX CONCURRENTLY "reviews_reported_filters_idx" ON "reviews" ("rating", "recommend") WHERE "reported";
