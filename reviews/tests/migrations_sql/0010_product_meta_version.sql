BEGIN;
--
-- Raw SQL operation
--
CREATE SEQUENCE product_meta_version_seq AS bigint;
--
-- Add field version to productmeta
--
ALTER TABLE "product_meta" ADD COLUMN "version" bigint DEFAULT (nextval('product_meta_version_seq')) NOT NULL;
--
-- Raw SQL operation
--

CREATE FUNCTION product_meta_version_next() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
NEW.version := nextval('product_meta_version_seq');
RETURN NEW;
END
$function$;
CREATE TRIGGER product_meta_version BEFORE UPDATE ON product_meta
FOR EACH ROW EXECUTE FUNCTION product_meta_version_next();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_version_insert() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
UPDATE product_meta SET version = version
 WHERE product_id IN (SELECT r.product_id FROM (SELECT * FROM new_rows) c
                        JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported);
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_version_insert AFTER INSERT ON characteristic_reviews
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_version_insert();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_version_update() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
UPDATE product_meta SET version = version
 WHERE product_id IN (SELECT r.product_id FROM (SELECT * FROM old_rows UNION ALL SELECT * FROM new_rows) c
                        JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported);
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_version_update AFTER UPDATE ON characteristic_reviews
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_version_update();

--
-- Raw SQL operation
--

CREATE FUNCTION characteristic_reviews_version_delete() RETURNS trigger LANGUAGE plpgsql AS $function$
BEGIN
UPDATE product_meta SET version = version
 WHERE product_id IN (SELECT r.product_id FROM (SELECT * FROM old_rows) c
                        JOIN reviews r ON r.id = c.review_id WHERE NOT r.reported);
RETURN NULL;
END
$function$;
CREATE TRIGGER characteristic_reviews_version_delete AFTER DELETE ON characteristic_reviews
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION characteristic_reviews_version_delete();

COMMIT;
