namespace SocketGateway.Tests.Infrastructure;

public static class HealthProbe
{
    /// <summary>Polls <c>/healthz</c> until it reports <paramref name="status"/> (with HTTP 200).</summary>
    public static async Task WaitForAsync(HttpClient http, string status)
    {
        using var timeout = new CancellationTokenSource(Timeouts.Step);
        string last = "";
        while (!timeout.IsCancellationRequested)
        {
            var response = await http.GetAsync("healthz", timeout.Token);
            last = await response.Content.ReadAsStringAsync(timeout.Token);
            if (last == status)
            {
                Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
                return;
            }

            // Health is polled: the writer retries on its own schedule and nothing signals a change.
            await Task.Delay(50, timeout.Token);
        }

        Assert.Fail($"/healthz never became {status}; last: {last}");
    }
}
