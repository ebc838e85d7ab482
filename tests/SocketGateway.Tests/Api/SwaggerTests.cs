using System.Net;
using SocketGateway.Tests.Infrastructure;

namespace SocketGateway.Tests.Api;

/// <summary>Swagger documents every /api route and serves its UI, unless switched off.</summary>
[Collection(GatewayCollection.Name)]
public sealed class SwaggerTests(GatewayFixture fixture)
{
    private static readonly Dictionary<string, string[]> ApiRoutes = new()
    {
        ["/api/rooms"] = ["get", "post"],
        ["/api/rooms/{room}"] = ["delete", "get", "patch"],
        ["/api/rooms/{room}/members"] = ["get"],
        ["/api/rooms/{room}/members/{nick}"] = ["delete"],
        ["/api/rooms/{room}/messages"] = ["get", "post"],
        ["/api/rooms/{room}/invites"] = ["get"],
        ["/api/rooms/{room}/invites/{account}"] = ["delete", "put"],
        ["/api/rooms/{room}/bans"] = ["get"],
        ["/api/rooms/{room}/bans/{account}"] = ["delete", "put"],
        ["/api/rooms/{room}/operators"] = ["get"],
        ["/api/rooms/{room}/operators/{account}"] = ["delete", "put"],
        ["/api/users"] = ["get"],
        ["/api/nodes"] = ["get"],
        ["/api/bridges"] = ["get", "post"],
        ["/api/bridges/{id}"] = ["delete", "get"],
    };

    [Fact]
    public async Task The_document_lists_every_api_route_with_its_methods_and_summaries()
    {
        using var http = fixture.Host.CreateHttpClient();
        using var response = await http.GetAsync("swagger/v1/swagger.json");
        var document = await ApiAssert.JsonAsync(response, HttpStatusCode.OK);

        var paths = document.GetProperty("paths").EnumerateObject()
            .Where(p => p.Name.StartsWith("/api", StringComparison.Ordinal))
            .ToDictionary(p => p.Name, p => p.Value);
        Assert.Equal(ApiRoutes.Keys.Order(StringComparer.Ordinal), paths.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, methods) in ApiRoutes)
        {
            var operations = paths[path].EnumerateObject().Where(o => o.Name != "parameters").ToList();
            Assert.Equal(methods, operations.Select(o => o.Name).Order(StringComparer.Ordinal));
            foreach (var operation in operations)
            {
                Assert.True(operation.Value.TryGetProperty("summary", out var summary) && !string.IsNullOrWhiteSpace(summary.GetString()),
                    $"{operation.Name} {path} has no summary");
            }
        }
    }

    [Theory]
    [InlineData("swagger")]
    [InlineData("swagger/index.html")]
    public async Task The_ui_is_served(string path)
    {
        using var http = fixture.Host.CreateHttpClient();
        using var response = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }
}

public sealed class SwaggerDisabledGateway() : SeparateGatewayFixture(new Dictionary<string, string?> { ["Gateway:Swagger:Enabled"] = "false" });

public sealed class SwaggerDisabledTests(SwaggerDisabledGateway gateway) : IClassFixture<SwaggerDisabledGateway>
{
    [Fact]
    public async Task Switched_off_there_is_no_document_and_no_ui_but_the_api_works()
    {
        using var http = gateway.Host.CreateHttpClient();
        using var json = await http.GetAsync("swagger/v1/swagger.json");
        Assert.Equal(HttpStatusCode.NotFound, json.StatusCode);
        using var ui = await http.GetAsync("swagger/index.html");
        Assert.Equal(HttpStatusCode.NotFound, ui.StatusCode);
        using var rooms = await http.GetAsync("api/rooms");
        Assert.Equal(HttpStatusCode.OK, rooms.StatusCode);
    }
}
