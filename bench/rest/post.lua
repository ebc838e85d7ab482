-- wrk script: every request posts one message into the room "bench" through the REST API.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"from":"poster","text":"a message from the REST load test"}'
wrk.path = "/api/rooms/bench/messages"
