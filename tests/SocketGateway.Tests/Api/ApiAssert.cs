using System.Net;
using System.Text;
using System.Text.Json;

namespace SocketGateway.Tests.Api;

/// <summary>Checks of REST answers: status, problem details with the contract's code, timestamp format.</summary>
internal static class ApiAssert
{
    public const string TimestampPattern = @"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$";

    /// <summary>Asserts the status (showing the body when it differs) and returns the parsed body, or default when empty.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected,
            $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        if (body.Length == 0)
        {
            return default;
        }

        using var doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem+json answer whose <c>code</c> member is the contract's code.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string code)
    {
        var problem = await JsonAsync(response, expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(JsonValueKind.Object, problem.ValueKind);
        Assert.Equal(code, problem.GetProperty("code").GetString());
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    public static void Timestamp(JsonElement value) => Assert.Matches(TimestampPattern, value.GetString());

    /// <summary>A JSON body sent as written (for nulls, left-out members and broken JSON).</summary>
    public static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    public static JsonElement Find(JsonElement array, string property, string value) =>
        array.EnumerateArray().Single(e => string.Equals(e.GetProperty(property).GetString(), value, StringComparison.Ordinal));

    public static bool Contains(JsonElement array, string property, string value) =>
        array.EnumerateArray().Any(e => string.Equals(e.GetProperty(property).GetString(), value, StringComparison.Ordinal));
}
