-- wrk script: GET /v1/users with the access token that run.sh obtained (env BENCH_TOKEN).
local token = os.getenv("BENCH_TOKEN")
if token == nil or token == "" then
  error("BENCH_TOKEN is not set")
end
wrk.method = "GET"
wrk.path = "/v1/users"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.headers["Accept"] = "application/json"
