-- wrk script: one request, the same each time, from the environment: BENCH_METHOD (default GET)
-- of BENCH_PATH with the credential BENCH_AUTH in the header BENCH_HEADER (default Authorization).
local path, auth = os.getenv("BENCH_PATH"), os.getenv("BENCH_AUTH")
if path == nil or auth == nil then
  error("BENCH_PATH and BENCH_AUTH must be set")
end
wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.path = path
wrk.headers[os.getenv("BENCH_HEADER") or "Authorization"] = auth
wrk.headers["Accept"] = "application/json"
