-- wrk scenario: GET /reviews, first pages of every size and sort, and some deeper pages.
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")

function init(args) common.setup(args) end
function request() return wrk.format("GET", common.reviews_path()) end
done = common.done
