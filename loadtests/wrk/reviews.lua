-- wrk scenario: GET /reviews, the first page of 5 of a product in every sort.
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")

function init(args) common.setup(args) end
function request() return wrk.format("GET", common.first_page_path()) end
done = common.done
