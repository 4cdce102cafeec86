def test_health(server):
    r = server.control("GET", "/health")
    assert r.json()["status"] == "ok"
