-- wrk scenario: a storefront's mix. 60% meta, 30% first pages of 5 in the front-end's sorts, 7%
-- deeper pages (2 to 5, of 5 to 20 reviews), 2% helpful votes, 1% posts.
-- A vote goes to a review a page showed (as a shopper votes on what they read), one of the last
-- hundred seen, by a shopper of its own (a new X-Voter token: every vote counts, and purges);
-- until a page has shown one, a vote is a meta read.
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")

local seen, seen_next = {}, 1
local SEEN_MAX = 100
local JSON = { ["Content-Type"] = "application/json" }
local BODY = '{"product_id": %d, "rating": %d, "summary": "Benchmark review", ' ..
  '"body": "Written by the benchmark: fits well, washes well.", "recommend": true, ' ..
  '"name": "bench%d", "email": "bench%d@example.com", "photos": []}'
local DEEP_COUNTS = { 5, 10, 20 }
local SORTS = { "relevant", "newest", "helpful" }

function init(args) common.setup(args) end

function request()
  local pick = math.random() * 100
  if pick < 60 then return wrk.format("GET", common.meta_path()) end
  if pick < 90 then return wrk.format("GET", common.first_page_path()) end
  if pick < 97 then
    return wrk.format("GET", string.format("/reviews?product_id=%d&page=%d&count=%d&sort=%s",
      common.product(), math.random(2, 5), DEEP_COUNTS[math.random(#DEEP_COUNTS)],
      SORTS[math.random(#SORTS)]))
  end
  if pick < 99 then
    if #seen == 0 then return wrk.format("GET", common.meta_path()) end
    local voter = { ["Content-Type"] = "application/json",
                    ["X-Voter"] = "bench-" .. math.random(1, 2000000000) }
    return wrk.format("PUT", "/v2/reviews/" .. seen[math.random(#seen)] .. "/vote", voter,
                      '{"value": "up"}')
  end
  local n = math.random(1, 1000000)
  local body = string.format(BODY, common.product(), math.random(1, 5), n, n)
  return wrk.format("POST", "/reviews", JSON, body)
end

function response(status, headers, body)
  -- One in ten pages: the first review it shows.
  if status == 200 and math.random() < 0.1 then
    local id = body:match('"review_id"%s*:%s*(%d+)')
    if id then
      seen[seen_next] = id
      seen_next = seen_next % SEEN_MAX + 1
    end
  end
end

done = common.done
