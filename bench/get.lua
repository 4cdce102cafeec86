-- wrk script: GET the path in env BENCH_PATH with the Authorization header in env BENCH_AUTH.
local path, auth = os.getenv("BENCH_PATH"), os.getenv("BENCH_AUTH")
if path == nil or auth == nil then
  error("BENCH_PATH and BENCH_AUTH must be set")
end
wrk.method = "GET"
wrk.path = path
wrk.headers["Authorization"] = auth
wrk.headers["Accept"] = "application/json"
