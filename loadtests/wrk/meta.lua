-- wrk scenario: GET /reviews/meta for products drawn as the front-end's traffic does.
package.path = "loadtests/wrk/?.lua;" .. package.path
local common = require("common")

function init(args) common.setup(args) end
function request() return wrk.format("GET", common.meta_path()) end
done = common.done
