-- wrk script: POST /v1/tokens with the demo administrator's credentials (the right password,
-- so the lockout after 5 failed sign-ins never triggers). Each request runs one argon2 verify.
wrk.method = "POST"
wrk.path = "/v1/tokens"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format('{"username":"%s","password":"%s"}',
  os.getenv("BENCH_USERNAME") or "administrator@vsphere.local",
  os.getenv("BENCH_PASSWORD") or "VMware1!")
